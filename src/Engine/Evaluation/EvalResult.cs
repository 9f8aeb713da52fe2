namespace Alds.Engine.Evaluation;

/// <summary>How closely a compressed model reproduces the original's outputs on real images, and how fast both run.</summary>
/// <param name="Images">Source images read.</param>
/// <param name="RelOutputError">Mean over inputs of ‖y − ŷ‖ / ‖y‖ (y: original, ŷ: compressed; all outputs concatenated).</param>
/// <param name="MaxRelOutputError">Largest relative output error over the inputs.</param>
/// <param name="Cosine">Mean over inputs of the cosine similarity of y and ŷ.</param>
/// <param name="Top1Agreement">Fraction of inputs whose arg-max agrees, when the first output is class scores [1, C]; else null.</param>
/// <param name="Original">Latency of the original model.</param>
/// <param name="Compressed">Latency of the compressed model.</param>
/// <param name="Inputs">Inputs evaluated: images × crops.</param>
/// <param name="Preprocessing">What was done to each crop before the models, in words.</param>
/// <param name="Batch">Inputs per run (the latencies are of one run at this batch).</param>
public sealed record EvalResult(
    int Images,
    double RelOutputError,
    double MaxRelOutputError,
    double Cosine,
    double? Top1Agreement,
    LatencyStats Original,
    LatencyStats Compressed,
    int Inputs,
    string Preprocessing,
    int Batch = 1);
