// Folding of a canonical [out, in, kh, kw] float64 weight (row-major) into the strided batch
// of channel-group matrices G_i (DESIGN §1). Group i holds input channels
// [i*c, (i+1)*c), c = in / groups, folded by scheme s into an m x n matrix:
//   s = 0: row o,              col (ci, y, x)   m = out,        n = c*kh*kw
//   s = 1: row (o, y),         col (x, ci)      m = out*kh,     n = kw*c
//   s = 2: row (o, x),         col (y, ci)      m = out*kw,     n = kh*c
//   s = 3: row (o, y, x),      col ci           m = out*kh*kw,  n = c
// Output is column-major (cuBLAS/cuSOLVER order) with batch stride m*n:
//   transpose = 0: G_i   (m x n, ld = m) at  out[i*m*n + col*m + row]
//   transpose = 1: G_i^T (n x m, ld = n) at  out[i*m*n + row*n + col]

extern "C" __global__ void fold_groups(
    const double* __restrict__ w, double* __restrict__ out,
    int outCh, int inCh, int kh, int kw, int scheme, int groups, int transpose)
{
    const int c = inCh / groups;
    const int taps = kh * kw;
    long long m, n;
    switch (scheme)
    {
        case 0: m = outCh; n = (long long)c * taps; break;
        case 1: m = (long long)outCh * kh; n = (long long)kw * c; break;
        case 2: m = (long long)outCh * kw; n = (long long)kh * c; break;
        default: m = (long long)outCh * taps; n = c; break;
    }
    const long long per = m * n;
    const long long total = per * groups;
    for (long long idx = blockIdx.x * (long long)blockDim.x + threadIdx.x; idx < total;
         idx += (long long)gridDim.x * blockDim.x)
    {
        const long long g = idx / per;
        const long long rem = idx - g * per;
        long long row, col;
        if (transpose) { row = rem / n; col = rem - row * n; }
        else           { col = rem / m; row = rem - col * m; }

        long long o, ci, y, x;
        switch (scheme)
        {
            case 0: o = row; ci = col / taps; { long long t = col - ci * taps; y = t / kw; x = t - y * kw; } break;
            case 1: o = row / kh; y = row - o * kh; x = col / c; ci = col - x * c; break;
            case 2: o = row / kw; x = row - o * kw; y = col / c; ci = col - y * c; break;
            default: o = row / taps; { long long t = row - o * taps; y = t / kw; x = t - y * kw; } ci = col; break;
        }
        const long long src = ((o * inCh + g * c + ci) * kh + y) * kw + x;
        out[idx] = w[src];
    }
}
