using System.Globalization;

namespace Alds.Engine.Costs;

/// <summary>
/// The shapes to run a graph at, for the inputs whose shape the graph leaves open (<c>--input-shape</c>):
/// <c>NAME=D1xD2x…</c>, or <c>D1xD2x…</c> alone for a model with one input; and the batch (<c>--batch</c>): every
/// input's first dimension, which the graph must leave open or fix to 1 (<see cref="Evaluation.BatchedModel"/>).
/// </summary>
public sealed class InputShapes
{
    private readonly Dictionary<string, long[]> _named;
    private readonly long[]? _unnamed;

    private InputShapes(Dictionary<string, long[]> named, long[]? unnamed, int batch)
    {
        _named = named;
        _unnamed = unnamed;
        Batch = batch;
    }

    /// <summary>No shape given: every input's shape must be fixed in the graph.</summary>
    public static InputShapes None { get; } = new(new Dictionary<string, long[]>(StringComparer.Ordinal), null, 1);

    /// <summary>The batch the graph runs at (1: as the graph says).</summary>
    public int Batch { get; }

    /// <summary>These shapes at batch <paramref name="batch"/>.</summary>
    public InputShapes WithBatch(int batch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        return new InputShapes(_named, _unnamed, batch);
    }

    /// <summary>True when nothing was given.</summary>
    internal bool IsEmpty => _named.Count == 0 && _unnamed is null;

    /// <summary>Parses every <c>--input-shape</c> value; one line naming the bad value on failure.</summary>
    /// <exception cref="FormatException">A value is not <c>[NAME=]D1xD2…</c> with positive dimensions, or is given twice.</exception>
    public static InputShapes Parse(IEnumerable<string> values)
    {
        var named = new Dictionary<string, long[]>(StringComparer.Ordinal);
        long[]? unnamed = null;
        foreach (var value in values)
        {
            int eq = value.LastIndexOf('=');
            string name = eq >= 0 ? value[..eq] : "", dims = eq >= 0 ? value[(eq + 1)..] : value;
            var parts = dims.Split('x', 'X', ',');
            var shape = new long[parts.Length];
            for (int i = 0; i < parts.Length; i++)
                if (!long.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out shape[i]) || shape[i] < 1)
                    throw new FormatException($"--input-shape '{value}': expected [NAME=]D1xD2x… with positive integer dimensions");
            if (eq < 0)
            {
                if (unnamed is not null) throw new FormatException($"--input-shape '{value}': a second shape without an input name");
                unnamed = shape;
            }
            else if (name.Length == 0 || !named.TryAdd(name, shape))
                throw new FormatException($"--input-shape '{value}': {(name.Length == 0 ? "empty input name" : $"input '{name}' is given twice")}");
        }
        return new InputShapes(named, unnamed, 1);
    }

    /// <summary>
    /// The shape to run input <paramref name="name"/> at: the given one (which must agree with the graph's fixed
    /// dimensions), else the graph's when every dimension is fixed. <paramref name="declared"/>: the graph's
    /// dimensions, null for an open one. <paramref name="single"/>: the model has one input (an unnamed shape is its).
    /// </summary>
    /// <exception cref="ModelFormatException">The shape is open and not given, or the given one contradicts the graph.</exception>
    internal long[] Resolve(string name, IReadOnlyList<long?> declared, bool single, string model)
    {
        if (Batch > 1 && declared.Count > 0)
        {
            if (declared[0] is long d0 && d0 != 1 && d0 != Batch)
                throw new ModelFormatException($"{model}: input '{name}' fixes its first dimension to {d0}; cannot run at batch {Batch}");
            declared = [Batch, .. declared.Skip(1)];
        }
        long[]? given = _named.GetValueOrDefault(name) ?? (single ? _unnamed : null);
        if (given is null)
        {
            if (declared.All(d => d is not null)) return [.. declared.Select(d => d!.Value)];
            throw new ModelFormatException(
                $"{model}: input '{name}' has an open shape [{string.Join(",", declared.Select(d => d?.ToString(CultureInfo.InvariantCulture) ?? "?"))}]; give --input-shape {name}=D1x…");
        }
        if (given.Length != declared.Count || given.Zip(declared).Any(p => p.Second is long d && d != p.First))
            throw new ModelFormatException(
                $"{model}: --input-shape {string.Join("x", given)} does not fit input '{name}' [{string.Join(",", declared.Select(d => d?.ToString(CultureInfo.InvariantCulture) ?? "?"))}]");
        return given;
    }

    /// <summary>Names given that the model does not have (checked by the caller against its inputs).</summary>
    internal IEnumerable<string> Names => _named.Keys;
}
