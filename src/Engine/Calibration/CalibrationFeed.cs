using Alds.Engine.Evaluation;
using Microsoft.ML.OnnxRuntime;

namespace Alds.Engine.Calibration;

/// <summary>
/// One run of the model during calibration: its named inputs, and for a text model the padded token batch, whose mask
/// tells which rows of a <c>[batch, sequence, in]</c> activation are real tokens (padding never enters a moment).
/// </summary>
public sealed record CalibrationFeed(IReadOnlyList<NamedOnnxValue> Inputs, TokenBatch? Tokens);
