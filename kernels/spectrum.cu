// Post-processing of batched symmetric eigenvalues into singular values and error curves.

// lambda: batch x p eigenvalues of Gram matrices, ascending per batch member (cuSOLVER order).
// sigma:  batch x p singular values, descending: sigma[b*p + t] = sqrt(max(lambda[b*p + p-1-t], 0)).
// Rounding can make tiny eigenvalues of a PSD Gram slightly negative; they clamp to 0.
extern "C" __global__ void eig_to_sigma_desc(
    const double* __restrict__ lambda, double* __restrict__ sigma, int p, int batch)
{
    const long long total = (long long)p * batch;
    for (long long idx = blockIdx.x * (long long)blockDim.x + threadIdx.x; idx < total;
         idx += (long long)gridDim.x * blockDim.x)
    {
        const long long b = idx / p;
        const long long t = idx - b * p;
        const double v = lambda[b * p + (p - 1 - t)];
        sigma[idx] = v > 0.0 ? sqrt(v) : 0.0;
    }
}

// Unnormalised error curves over the groups, for rank j = 1..p (entry j-1):
//   errMax[j-1] = max_i sigma_{j+1}(G_i),  errRss[j-1] = sqrt(sum_i sigma_{j+1}(G_i)^2),
// with sigma_{p+1} = 0, so the last entry is 0. sigma is groups x p, descending per group.
extern "C" __global__ void group_errors(
    const double* __restrict__ sigma, double* __restrict__ errMax, double* __restrict__ errRss,
    int p, int groups)
{
    for (int j = blockIdx.x * blockDim.x + threadIdx.x; j < p; j += gridDim.x * blockDim.x)
    {
        double mx = 0.0, ss = 0.0;
        if (j + 1 < p)
        {
            for (int i = 0; i < groups; ++i)
            {
                const double s = sigma[(long long)i * p + j + 1];
                mx = s > mx ? s : mx;
                ss += s * s;
            }
        }
        errMax[j] = mx;
        errRss[j] = sqrt(ss);
    }
}
