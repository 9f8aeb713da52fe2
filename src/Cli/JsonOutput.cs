using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Alds.Cli;

/// <summary>Writes one indented JSON object to a text writer.</summary>
public static class JsonOutput
{
    public static void Write(TextWriter output, Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            body(writer);
        output.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
    }
}
