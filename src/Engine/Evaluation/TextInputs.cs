using Microsoft.ML.OnnxRuntime.Tensors;

namespace Alds.Engine.Evaluation;

/// <summary>
/// The token inputs of a text model, found by name: ids (<c>input_ids</c>, or the one input whose name contains
/// <c>ids</c> but not <c>type</c>), the attention mask (name contains <c>mask</c>) and token types (name contains
/// <c>type</c> or <c>segment</c>); each 2-D <c>[batch, sequence]</c> of int64 or int32.
/// </summary>
internal sealed record TextInputs(TensorSignature Ids, TensorSignature? Mask, TensorSignature? TokenTypes)
{
    /// <exception cref="ModelFormatException">No ids input, an input of another role or shape, or a role given twice.</exception>
    public static TextInputs Find(ModelSignature signature, string path)
    {
        if (TryFind(signature, out var inputs, out var why)) return inputs!;
        throw new ModelFormatException($"{path}: {why}");
    }

    internal static bool TryFind(ModelSignature signature, out TextInputs? inputs, out string why)
    {
        inputs = null;
        TensorSignature? ids = null, mask = null, types = null;
        foreach (var input in signature.Inputs)
        {
            string name = input.Name.ToLowerInvariant();
            ref TensorSignature? slot = ref ids;
            if (name.Contains("mask")) slot = ref mask;
            else if (name.Contains("type") || name.Contains("segment")) slot = ref types;
            else if (!name.Contains("ids"))
            {
                why = $"input '{input.Name}' is not a token input (input_ids, attention_mask, token_type_ids)";
                return false;
            }
            if (slot is not null)
            {
                why = $"inputs '{slot.Name}' and '{input.Name}' both look like the same token input";
                return false;
            }
            if (input.ElementType is not (TensorElementType.Int64 or TensorElementType.Int32) || input.Dimensions.Length != 2)
            {
                why = $"token input '{input.Name}' is {input.Describe()}, eval needs int64 or int32 [batch, sequence]";
                return false;
            }
            slot = input;
        }
        if (ids is null)
        {
            why = "no input_ids input";
            return false;
        }
        inputs = new TextInputs(ids, mask, types);
        why = "";
        return true;
    }
}
