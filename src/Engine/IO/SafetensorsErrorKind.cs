namespace Alds.Engine.IO;

/// <summary>
/// Why a safetensors file was refused. The first ten mirror the reference implementation's
/// errors (huggingface/safetensors <c>SafeTensorError</c>), in the order the reader checks them.
/// </summary>
internal enum SafetensorsErrorKind
{
    /// <summary>The file is shorter than the 8-byte header length.</summary>
    HeaderTooSmall,
    /// <summary>The declared header length exceeds 100,000,000 bytes.</summary>
    HeaderTooLarge,
    /// <summary>The declared header runs past the end of the file.</summary>
    InvalidHeaderLength,
    /// <summary>The header bytes are not valid UTF-8.</summary>
    InvalidHeader,
    /// <summary>The header is not a JSON object of the expected shape (dtype, shape, offsets, metadata).</summary>
    InvalidHeaderDeserialization,
    /// <summary>A tensor's data offsets leave a hole, overlap, or end before they begin.</summary>
    InvalidOffset,
    /// <summary>Element or bit counts overflow 64 bits (or a dimension exceeds 2^63 − 1).</summary>
    ValidationOverflow,
    /// <summary>A tensor's bit count is not a whole number of bytes.</summary>
    MisalignedSlice,
    /// <summary>A tensor's byte span disagrees with its dtype and shape.</summary>
    TensorInvalidInfo,
    /// <summary>The data section is not exactly as long as the tensors need (trailing or missing bytes).</summary>
    MetadataIncompleteBuffer,
    /// <summary>A JSON object in the header repeats a key (the format forbids it; the reference does not check).</summary>
    DuplicateKey,
    /// <summary>The file cannot be opened, mapped or read.</summary>
    Io,
    /// <summary>A tensor asked for by name is not in the file.</summary>
    TensorNotFound,
    /// <summary>A tensor's dtype cannot be read the way that was asked (e.g. I32 as float).</summary>
    UnsupportedDType,
    /// <summary>A tensor is too large for the requested view (a span holds at most 2^31 − 1 bytes).</summary>
    TensorTooLarge,
}
