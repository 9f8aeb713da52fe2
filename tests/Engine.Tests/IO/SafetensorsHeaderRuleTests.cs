using Alds.Engine.IO;
using Alds.Engine.Tensors;
using static Alds.Engine.Tests.IO.SafetensorsBytes;
using Kind = Alds.Engine.IO.SafetensorsErrorKind;

namespace Alds.Engine.Tests.IO;

/// <summary>One byte-literal fixture (at least) per rule of SAFETENSORS.md, in its order.</summary>
public class SafetensorsHeaderRuleTests
{
    // Rule 1
    [TestCase(0)]
    [TestCase(7)]
    public void ParseHeader_FileShorterThan8Bytes_HeaderTooSmall(int length)
    {
        var e = Reject(new byte[length], Kind.HeaderTooSmall);
        Assert.That(e.Message, Is.EqualTo($"model.safetensors: file is {length} bytes, shorter than the 8-byte header length"));
    }

    // Rule 2
    [TestCase(100_000_001UL)]
    [TestCase(ulong.MaxValue)]
    [TestCase(0x8000_0000_0000_0000UL)]
    public void ParseHeader_LengthOverLimit_HeaderTooLarge(ulong n)
    {
        Reject(File("{}", declaredLength: n), Kind.HeaderTooLarge);
    }

    [Test]
    public void ParseHeader_LengthAtLimitButFileShort_InvalidHeaderLength()
    {
        Reject(File("{}", declaredLength: 100_000_000), Kind.InvalidHeaderLength);
    }

    // Rule 3
    [Test]
    public void ParseHeader_HeaderRunsPastFileEnd_InvalidHeaderLength()
    {
        var e = Reject(File("{}", declaredLength: 3), Kind.InvalidHeaderLength);
        Assert.That(e.Message, Is.EqualTo("model.safetensors: header length 3 runs past the end of the file (10 bytes)"));
    }

    [Test]
    public void ParseHeader_BadUtf8BehindTooLongHeader_InvalidHeaderLengthFirst()
    {
        Reject(File([(byte)'{', 0xFF, (byte)'}'], declaredLength: 4), Kind.InvalidHeaderLength);
    }

    // Rule 4
    [TestCase(new byte[] { 0xFF }, TestName = "ParseHeader_ByteFF_InvalidHeader")]
    [TestCase(new byte[] { 0xC0, 0xAF }, TestName = "ParseHeader_OverlongSlash_InvalidHeader")]
    [TestCase(new byte[] { 0xED, 0xA0, 0x80 }, TestName = "ParseHeader_EncodedSurrogate_InvalidHeader")]
    [TestCase(new byte[] { 0xF4, 0x90, 0x80, 0x80 }, TestName = "ParseHeader_AboveU10FFFF_InvalidHeader")]
    [TestCase(new byte[] { 0xE2, 0x82 }, TestName = "ParseHeader_TruncatedSequence_InvalidHeader")]
    [TestCase(new byte[] { 0x80 }, TestName = "ParseHeader_LoneContinuation_InvalidHeader")]
    public void ParseHeader_InvalidUtf8InName_InvalidHeader(byte[] bad)
    {
        byte[] header = [.. "{\"a"u8, .. bad, .. "\":{\"dtype\":\"U8\",\"shape\":[],\"data_offsets\":[0,1]}}"u8];
        var e = Reject(File(header, 1), Kind.InvalidHeader);
        Assert.That(e.Message, Does.EndWith("(bad byte at header offset 3)"));
    }

    [Test]
    public void ParseHeader_InvalidUtf8AndBadJson_InvalidHeaderFirst()
    {
        Reject(File([(byte)'[', 0xFF]), Kind.InvalidHeader);
    }

    // Rule 5
    [TestCase("", TestName = "ParseHeader_EmptyHeader_InvalidHeaderDeserialization")]
    [TestCase("   ", TestName = "ParseHeader_OnlySpaces_InvalidHeaderDeserialization")]
    [TestCase("abc", TestName = "ParseHeader_NotJson_InvalidHeaderDeserialization")]
    [TestCase("[]", TestName = "ParseHeader_JsonArray_InvalidHeaderDeserialization")]
    [TestCase("\"x\"", TestName = "ParseHeader_JsonString_InvalidHeaderDeserialization")]
    [TestCase("null", TestName = "ParseHeader_JsonNull_InvalidHeaderDeserialization")]
    [TestCase("{", TestName = "ParseHeader_UnclosedObject_InvalidHeaderDeserialization")]
    [TestCase("{} x", TestName = "ParseHeader_GarbageAfterObject_InvalidHeaderDeserialization")]
    [TestCase("{}{}", TestName = "ParseHeader_TwoObjects_InvalidHeaderDeserialization")]
    [TestCase("{/*c*/}", TestName = "ParseHeader_Comment_InvalidHeaderDeserialization")]
    [TestCase("{\"__metadata__\":{\"a\":\"b\",}}", TestName = "ParseHeader_TrailingComma_InvalidHeaderDeserialization")]
    [TestCase("\uFEFF{}", TestName = "ParseHeader_ByteOrderMark_InvalidHeaderDeserialization")]
    [TestCase("{\"__metadata__\":{\"a\":1}}", TestName = "ParseHeader_MetadataNumberValue_InvalidHeaderDeserialization")]
    [TestCase("{\"__metadata__\":{\"a\":null}}", TestName = "ParseHeader_MetadataNullValue_InvalidHeaderDeserialization")]
    [TestCase("{\"__metadata__\":{\"a\":{\"b\":\"c\"}}}", TestName = "ParseHeader_MetadataNestedObject_InvalidHeaderDeserialization")]
    [TestCase("{\"__metadata__\":{\"a\":[\"b\"]}}", TestName = "ParseHeader_MetadataArrayValue_InvalidHeaderDeserialization")]
    [TestCase("{\"__metadata__\":[]}", TestName = "ParseHeader_MetadataArray_InvalidHeaderDeserialization")]
    [TestCase("{\"__metadata__\":\"x\"}", TestName = "ParseHeader_MetadataString_InvalidHeaderDeserialization")]
    public void ParseHeader_NotAHeaderObject_InvalidHeaderDeserialization(string header)
    {
        Reject(File(header), Kind.InvalidHeaderDeserialization);
    }

    [TestCase("{\"t\":5}", TestName = "ParseHeader_EntryNumber_InvalidHeaderDeserialization")]
    [TestCase("{\"t\":[]}", TestName = "ParseHeader_EntryArray_InvalidHeaderDeserialization")]
    [TestCase("{\"t\":{\"dtype\":\"f32\",\"shape\":[1],\"data_offsets\":[0,4]}}", TestName = "ParseHeader_LowercaseDtype_InvalidHeaderDeserialization")]
    [TestCase("{\"t\":{\"dtype\":\"F31\",\"shape\":[1],\"data_offsets\":[0,4]}}", TestName = "ParseHeader_UnknownDtype_InvalidHeaderDeserialization")]
    [TestCase("{\"t\":{\"dtype\":\"17\",\"shape\":[1],\"data_offsets\":[0,4]}}", TestName = "ParseHeader_NumericDtypeName_InvalidHeaderDeserialization")]
    [TestCase("{\"t\":{\"dtype\":\" F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", TestName = "ParseHeader_PaddedDtypeName_InvalidHeaderDeserialization")]
    [TestCase("{\"t\":{\"dtype\":17,\"shape\":[1],\"data_offsets\":[0,4]}}", TestName = "ParseHeader_DtypeNumber_InvalidHeaderDeserialization")]
    [TestCase("{\"t\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", TestName = "ParseHeader_NegativeDim_InvalidHeaderDeserialization")]
    [TestCase("{\"t\":{\"dtype\":\"F32\",\"shape\":[-0],\"data_offsets\":[0,4]}}", TestName = "ParseHeader_NegativeZeroDim_InvalidHeaderDeserialization")]
    [TestCase("{\"t\":{\"dtype\":\"F32\",\"shape\":[1.0],\"data_offsets\":[0,4]}}", TestName = "ParseHeader_FractionalDim_InvalidHeaderDeserialization")]
    [TestCase("{\"t\":{\"dtype\":\"F32\",\"shape\":[1e0],\"data_offsets\":[0,4]}}", TestName = "ParseHeader_ExponentDim_InvalidHeaderDeserialization")]
    [TestCase("{\"t\":{\"dtype\":\"F32\",\"shape\":[\"1\"],\"data_offsets\":[0,4]}}", TestName = "ParseHeader_StringDim_InvalidHeaderDeserialization")]
    [TestCase("{\"t\":{\"dtype\":\"F32\",\"shape\":[[1]],\"data_offsets\":[0,4]}}", TestName = "ParseHeader_NestedDim_InvalidHeaderDeserialization")]
    [TestCase("{\"t\":{\"dtype\":\"F32\",\"shape\":1,\"data_offsets\":[0,4]}}", TestName = "ParseHeader_ShapeNotArray_InvalidHeaderDeserialization")]
    [TestCase("{\"t\":{\"dtype\":\"F32\",\"shape\":null,\"data_offsets\":[0,4]}}", TestName = "ParseHeader_ShapeNull_InvalidHeaderDeserialization")]
    [TestCase("{\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,4]}}", TestName = "ParseHeader_ThreeOffsets_InvalidHeaderDeserialization")]
    [TestCase("{\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4]}}", TestName = "ParseHeader_OneOffset_InvalidHeaderDeserialization")]
    [TestCase("{\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[]}}", TestName = "ParseHeader_NoOffsets_InvalidHeaderDeserialization")]
    [TestCase("{\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,-4]}}", TestName = "ParseHeader_NegativeOffset_InvalidHeaderDeserialization")]
    [TestCase("{\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,18446744073709551616]}}", TestName = "ParseHeader_OffsetOver64Bits_InvalidHeaderDeserialization")]
    [TestCase("{\"t\":{\"dtype\":\"F32\",\"shape\":[18446744073709551616],\"data_offsets\":[0,4]}}", TestName = "ParseHeader_DimOver64Bits_InvalidHeaderDeserialization")]
    [TestCase("{\"t\":{\"shape\":[1],\"data_offsets\":[0,4]}}", TestName = "ParseHeader_MissingDtype_InvalidHeaderDeserialization")]
    [TestCase("{\"t\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", TestName = "ParseHeader_MissingShape_InvalidHeaderDeserialization")]
    [TestCase("{\"t\":{\"dtype\":\"F32\",\"shape\":[1]}}", TestName = "ParseHeader_MissingOffsets_InvalidHeaderDeserialization")]
    [TestCase("{\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"x\":[}}", TestName = "ParseHeader_BrokenExtraField_InvalidHeaderDeserialization")]
    public void ParseHeader_BadTensorEntry_InvalidHeaderDeserialization(string header)
    {
        Reject(File(header, 4), Kind.InvalidHeaderDeserialization, "t");
    }

    [Test]
    public void ParseHeader_UnpairedSurrogateEscapeInName_InvalidHeaderDeserialization()
    {
        Reject(File("{\"\\ud800\":{\"dtype\":\"U8\",\"shape\":[],\"data_offsets\":[0,1]}}", 1), Kind.InvalidHeaderDeserialization);
    }

    [Test]
    public void ParseHeader_BadJsonAfterBadOffsets_InvalidHeaderDeserializationFirst()
    {
        // The reference deserialises the whole header before it validates offsets.
        Reject(File("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[5,6]},\"b\":5}", 1),
            Kind.InvalidHeaderDeserialization, "b");
    }

    // Duplicate keys (rule 5 addendum)
    [Test]
    public void ParseHeader_TensorNameTwice_DuplicateKey()
    {
        var e = Reject(File("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}," +
                            "\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]}}", 2), Kind.DuplicateKey, "a");
        Assert.That(e.Message, Is.EqualTo("model.safetensors: tensor 'a': name appears more than once in the header"));
    }

    [Test]
    public void ParseHeader_EscapedSpellingOfSameName_DuplicateKey()
    {
        Reject(File("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}," +
                    "\"\\u0061\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]}}", 2), Kind.DuplicateKey, "a");
    }

    [Test]
    public void ParseHeader_MetadataTwice_DuplicateKey()
    {
        Reject(File("{\"__metadata__\":{},\"__metadata__\":{}}"), Kind.DuplicateKey);
    }

    [Test]
    public void ParseHeader_MetadataKeyTwice_DuplicateKey()
    {
        Reject(File("{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}}"), Kind.DuplicateKey);
    }

    [Test]
    public void ParseHeader_EntryFieldTwice_DuplicateKey()
    {
        Reject(File("{\"t\":{\"dtype\":\"U8\",\"dtype\":\"I8\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1), Kind.DuplicateKey, "t");
    }

    // Rule 6
    [Test]
    public void ParseHeader_FirstTensorNotAtZero_InvalidOffset()
    {
        Reject(File("{\"t\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[4,8]}}", 8), Kind.InvalidOffset, "t");
    }

    [Test]
    public void ParseHeader_HoleBetweenTensors_InvalidOffsetWithExactMessage()
    {
        var e = Reject(File("{\"conv1.weight\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[20,32]}," +
                            "\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 32),
            Kind.InvalidOffset, "conv1.weight");
        Assert.That(e.Message, Is.EqualTo(
            "model.safetensors: tensor 'conv1.weight': data_offsets [20, 32] do not follow the previous tensor (expected begin 16)"));
    }

    [Test]
    public void ParseHeader_OverlappingTensors_InvalidOffset()
    {
        Reject(File("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}," +
                    "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[12,20]}}", 20), Kind.InvalidOffset, "b");
    }

    [Test]
    public void ParseHeader_EndBeforeBegin_InvalidOffset()
    {
        var e = Reject(File("{\"a\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[0,4]}," +
                            "\"b\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[4,2]}}", 4), Kind.InvalidOffset, "b");
        Assert.That(e.Message, Does.EndWith("data_offsets [4, 2] end before they begin"));
    }

    [Test]
    public void ParseHeader_ElementCountOverflows_ValidationOverflow()
    {
        Reject(File("{\"t\":{\"dtype\":\"U8\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,0]}}"),
            Kind.ValidationOverflow, "t");
    }

    [Test]
    public void ParseHeader_BitCountOverflows_ValidationOverflow()
    {
        // 2^62 elements fit 64 bits; 2^62 × 32 bits do not.
        Reject(File("{\"t\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904],\"data_offsets\":[0,0]}}"),
            Kind.ValidationOverflow, "t");
    }

    [Test]
    public void ParseHeader_DimensionOver63BitsWithZeroDim_ValidationOverflow()
    {
        Reject(File("{\"t\":{\"dtype\":\"BOOL\",\"shape\":[9223372036854775808,0],\"data_offsets\":[0,0]}}"),
            Kind.ValidationOverflow, "t");
    }

    [Test]
    public void ParseHeader_OverflowBeforeLaterOffsetError_ValidationOverflowFirst()
    {
        Reject(File("{\"a\":{\"dtype\":\"U8\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,0]}," +
                    "\"b\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[3,4]}}", 4), Kind.ValidationOverflow, "a");
    }

    [TestCase("F4", "[3]", TestName = "ParseHeader_OddCountOfF4_MisalignedSlice")]
    [TestCase("F6_E2M3", "[1]", TestName = "ParseHeader_OneF6E2M3_MisalignedSlice")]
    [TestCase("F6_E3M2", "[2,3]", TestName = "ParseHeader_SixF6E3M2_MisalignedSlice")]
    public void ParseHeader_BitsNotWholeBytes_MisalignedSlice(string dtype, string shape)
    {
        Reject(File($"{{\"t\":{{\"dtype\":\"{dtype}\",\"shape\":{shape},\"data_offsets\":[0,2]}}}}", 2),
            Kind.MisalignedSlice, "t");
    }

    [Test]
    public void ParseHeader_SpanDisagreesWithShape_TensorInvalidInfo()
    {
        var e = Reject(File("{\"t\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,12]}}", 12),
            Kind.TensorInvalidInfo, "t");
        Assert.That(e.Message, Does.EndWith("data_offsets [0, 12] span 12 bytes but F32 [2, 2] needs 16"));
    }

    // Rule 7
    [Test]
    public void ParseHeader_TrailingByte_MetadataIncompleteBuffer()
    {
        Reject(File("{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 9), Kind.MetadataIncompleteBuffer);
    }

    [Test]
    public void ParseHeader_MissingByte_MetadataIncompleteBuffer()
    {
        Reject(File("{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 7), Kind.MetadataIncompleteBuffer);
    }

    [Test]
    public void ParseHeader_EmptyObjectWithData_MetadataIncompleteBuffer()
    {
        Reject(File("{}", 1), Kind.MetadataIncompleteBuffer);
    }

    [Test]
    public void ParseHeader_DataPast64Bits_MetadataIncompleteBuffer()
    {
        // Eight valid tensors of 2^61 - 1 bytes each end at 2^64 - 8; adding 8 + N wraps past 2^64.
        const ulong size = (1UL << 61) - 1;
        var parts = Enumerable.Range(0, 8).Select(i =>
            $"\"t{i}\":{{\"dtype\":\"U8\",\"shape\":[{size}],\"data_offsets\":[{size * (ulong)i},{size * (ulong)(i + 1)}]}}");
        var e = Reject(File("{" + string.Join(",", parts) + "}"), Kind.MetadataIncompleteBuffer);
        Assert.That(e.Message, Does.Contain("beyond 2^64"));
    }

    // Accepted edge cases
    [Test]
    public void ParseHeader_EmptyObject_ZeroTensors()
    {
        var h = Parse(File("{}"));
        Assert.Multiple(() =>
        {
            Assert.That(h.Tensors, Is.Empty);
            Assert.That(h.Metadata, Is.Empty);
            Assert.That(h.HeaderLength, Is.EqualTo(2));
            Assert.That(h.DataStart, Is.EqualTo(10));
        });
    }

    [TestCase("{}      ")]
    [TestCase("  \t\r\n{}")]
    [TestCase(" {\"__metadata__\" : { \"a\" : \"b\" } }\n ")]
    public void ParseHeader_SurroundingWhitespace_Accepted(string header)
    {
        Assert.That(Parse(File(header)).Tensors, Is.Empty);
    }

    [Test]
    public void ParseHeader_ScalarShape_OneElement()
    {
        var t = Parse(File("{\"s\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[0,8]}}", 8)).Tensors.Single();
        Assert.Multiple(() =>
        {
            Assert.That(t.Shape, Is.Empty);
            Assert.That(t.Entry.ElementCount, Is.EqualTo(1));
            Assert.That(t.ByteLength, Is.EqualTo(8));
        });
    }

    [Test]
    public void ParseHeader_ZeroSizedDims_Accepted()
    {
        var h = Parse(File("{\"z\":{\"dtype\":\"F32\",\"shape\":[2,0],\"data_offsets\":[0,0]}," +
                           "\"y\":{\"dtype\":\"I64\",\"shape\":[0],\"data_offsets\":[0,0]}," +
                           "\"x\":{\"dtype\":\"U8\",\"shape\":[3],\"data_offsets\":[0,3]}}", 3));
        // Ties on (begin, end) keep header order.
        Assert.That(h.Tensors.Select(t => t.Name), Is.EqualTo(new[] { "z", "y", "x" }));
        Assert.That(h.Tensors[0].Shape, Is.EqualTo(new long[] { 2, 0 }));
    }

    [Test]
    public void ParseHeader_TensorsOutOfHeaderOrder_ListedInOffsetOrder()
    {
        var h = Parse(File("{\"b\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[3,5]}," +
                           "\"a\":{\"dtype\":\"U8\",\"shape\":[3],\"data_offsets\":[0,3]}}", 5));
        Assert.That(h.Tensors.Select(t => (t.Name, t.Begin, t.End)), Is.EqualTo(new[] { ("a", 0L, 3L), ("b", 3L, 5L) }));
    }

    [Test]
    public void ParseHeader_ExtraEntryFields_Ignored()
    {
        var t = Parse(File("{\"t\":{\"x\":{\"deep\":[1,{\"y\":null}]},\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1],\"z\":-1.5e3}}", 1))
            .Tensors.Single();
        Assert.That(t.DType, Is.EqualTo(DType.U8));
    }

    [Test]
    public void ParseHeader_MetadataNull_ReadAsEmpty()
    {
        Assert.That(Parse(File("{\"__metadata__\":null}")).Metadata, Is.Empty);
    }

    [Test]
    public void ParseHeader_MetadataStrings_Kept()
    {
        var h = Parse(File("{\"__metadata__\":{\"format\":\"pt\",\"\\u00e9\\n\":\"\\\"q\\\" ü\"}}"));
        Assert.That(h.Metadata, Is.EquivalentTo(new Dictionary<string, string> { ["format"] = "pt", ["é\n"] = "\"q\" ü" }));
    }

    [Test]
    public void ParseHeader_EmptyAndUnicodeNames_Accepted()
    {
        var h = Parse(File("{\"\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}," +
                           "\"ж.weight😀\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]}}", 2));
        Assert.That(h.Tensors.Select(t => t.Name), Is.EqualTo(new[] { "", "ж.weight😀" }));
    }

    [Test]
    public void ParseHeader_AllDtypeNames_Accepted()
    {
        // 8 elements of any dtype are a whole number of bytes.
        var parts = new List<string>();
        long offset = 0;
        foreach (var d in Enum.GetValues<DType>())
        {
            long bytes = 8L * d.Bits() / 8;
            parts.Add($"\"{d}\":{{\"dtype\":\"{d}\",\"shape\":[2,4],\"data_offsets\":[{offset},{offset + bytes}]}}");
            offset += bytes;
        }
        var h = Parse(File("{" + string.Join(",", parts) + "}", offset));
        Assert.That(h.Tensors.Select(t => t.DType), Is.EqualTo(Enum.GetValues<DType>()));
        Assert.That(h.Tensors, Has.Count.EqualTo(22));
    }

    [Test]
    public void ParseHeader_PrefixShorterThanHeader_ArgumentException()
    {
        var file = File("{}");
        Assert.Throws<ArgumentException>(() => SafetensorsFile.ParseHeader(file.AsSpan(0, 9), file.Length, FileName));
    }
}
