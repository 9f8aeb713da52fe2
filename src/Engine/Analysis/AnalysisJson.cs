using System.Text.Json;

namespace Alds.Engine.Analysis;

/// <summary>
/// The <c>alds analyze --json</c> document:
/// <c>{"layers":[{"name","shape","options":[{"scheme","groups","norm","errors":[…],"errors_rss":[…]}]}]}</c>,
/// <c>errors[j-1] = e(s,k,j)</c> (the max measure), <c>errors_rss</c> the root-sum-square measure.
/// </summary>
public static class AnalysisJson
{
    /// <summary>Writes <paramref name="analysis"/> as the document above to <paramref name="w"/>.</summary>
    public static void Write(Utf8JsonWriter w, ModelAnalysis analysis)
    {
        w.WriteStartObject();
        w.WriteStartArray("schemes");
        foreach (var s in analysis.Schemes) w.WriteNumberValue(s);
        w.WriteEndArray();
        w.WriteStartArray("layers");
        foreach (var layer in analysis.Layers)
        {
            w.WriteStartObject();
            w.WriteString("name", layer.Layer.Name);
            w.WriteStartArray("shape");
            foreach (var d in layer.Layer.Shape) w.WriteNumberValue(d);
            w.WriteEndArray();
            w.WriteStartArray("options");
            foreach (var o in layer.Options)
            {
                w.WriteStartObject();
                w.WriteNumber("scheme", o.Scheme);
                w.WriteNumber("groups", o.Groups);
                w.WriteNumber("norm", o.Norm);
                WriteArray(w, "errors", o.ErrorsMax);
                WriteArray(w, "errors_rss", o.ErrorsRss);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteArray(Utf8JsonWriter w, string name, double[] values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteNumberValue(v);
        w.WriteEndArray();
    }
}
