using System.Buffers.Binary;
using System.IO.Hashing;
using Alds.Engine.Analysis;

namespace Alds.Engine.Caching;

/// <summary>
/// The binary layout of one cache entry (little-endian; docs/cache.md):
/// <code>
/// "ALDSSPEC" | u32 format version | u128 key | u32 option count |
///   per option: i32 scheme | i32 groups | f64 norm | i32 rank | f64[rank] errors max | f64[rank] errors rss |
/// u64 XxHash64 checksum of all preceding bytes
/// </code>
/// </summary>
internal static class CacheEntryFormat
{
    private static ReadOnlySpan<byte> Magic => "ALDSSPEC"u8;
    private const int MaxRank = 1 << 24;

    public static byte[] Encode(UInt128 key, IReadOnlyList<SchemeOption> options)
    {
        long size = 8 + 4 + 16 + 4 + 8;
        foreach (var o in options) size += 4 + 4 + 8 + 4 + 16L * o.MaxRank;
        var bytes = new byte[size];
        var s = bytes.AsSpan();
        Magic.CopyTo(s);
        int p = 8;
        BinaryPrimitives.WriteUInt32LittleEndian(s[p..], AnalysisCache.FormatVersion); p += 4;
        BinaryPrimitives.WriteUInt128LittleEndian(s[p..], key); p += 16;
        BinaryPrimitives.WriteInt32LittleEndian(s[p..], options.Count); p += 4;
        foreach (var o in options)
        {
            BinaryPrimitives.WriteInt32LittleEndian(s[p..], o.Scheme); p += 4;
            BinaryPrimitives.WriteInt32LittleEndian(s[p..], o.Groups); p += 4;
            BinaryPrimitives.WriteDoubleLittleEndian(s[p..], o.Norm); p += 8;
            BinaryPrimitives.WriteInt32LittleEndian(s[p..], o.MaxRank); p += 4;
            foreach (var v in o.ErrorsMax) { BinaryPrimitives.WriteDoubleLittleEndian(s[p..], v); p += 8; }
            foreach (var v in o.ErrorsRss) { BinaryPrimitives.WriteDoubleLittleEndian(s[p..], v); p += 8; }
        }
        BinaryPrimitives.WriteUInt64LittleEndian(s[p..], XxHash64.HashToUInt64(s[..p]));
        return bytes;
    }

    /// <summary>Decodes an entry; null when anything is wrong (never throws on hostile bytes).</summary>
    public static IReadOnlyList<SchemeOption>? TryDecode(ReadOnlySpan<byte> s, UInt128 expectedKey)
    {
        if (s.Length < 8 + 4 + 16 + 4 + 8 || !s[..8].SequenceEqual(Magic)) return null;
        int body = s.Length - 8;
        if (BinaryPrimitives.ReadUInt64LittleEndian(s[body..]) != XxHash64.HashToUInt64(s[..body])) return null;
        int p = 8;
        if (BinaryPrimitives.ReadUInt32LittleEndian(s[p..]) != AnalysisCache.FormatVersion) return null;
        p += 4;
        if (BinaryPrimitives.ReadUInt128LittleEndian(s[p..]) != expectedKey) return null;
        p += 16;
        int count = BinaryPrimitives.ReadInt32LittleEndian(s[p..]); p += 4;
        if (count < 0 || count > body) return null;
        var options = new List<SchemeOption>(count);
        for (int q = 0; q < count; q++)
        {
            if (body - p < 20) return null;
            int scheme = BinaryPrimitives.ReadInt32LittleEndian(s[p..]);
            int groups = BinaryPrimitives.ReadInt32LittleEndian(s[(p + 4)..]);
            double norm = BinaryPrimitives.ReadDoubleLittleEndian(s[(p + 8)..]);
            int rank = BinaryPrimitives.ReadInt32LittleEndian(s[(p + 16)..]);
            p += 20;
            if (scheme is < 0 or > 3 || groups < 1 || rank < 0 || rank > MaxRank || (long)rank * 16 > body - p) return null;
            if (!double.IsFinite(norm) || norm < 0) return null;
            var max = new double[rank];
            var rss = new double[rank];
            for (int j = 0; j < rank; j++) { max[j] = BinaryPrimitives.ReadDoubleLittleEndian(s[p..]); p += 8; }
            for (int j = 0; j < rank; j++) { rss[j] = BinaryPrimitives.ReadDoubleLittleEndian(s[p..]); p += 8; }
            if (!max.All(double.IsFinite) || !rss.All(double.IsFinite)) return null;
            options.Add(new SchemeOption(scheme, groups, norm, max, rss));
        }
        return p == body ? options : null;
    }
}
