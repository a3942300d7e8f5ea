// Cluster occupancy and GPC layout of the GPU it runs on: how many clusters
// of 8 blocks of 256 threads (the split rows of H = 65536) run at once with
// 8 / 7 / 6 / 5 blocks per SM, and how many SMs each GPC has (SMs whose
// blocks share a cluster share a GPC). H100s differ in the latter, hence in
// the former. Not built by CMake (it needs nvcc); on the GPU machine:
//   nvcc -arch=sm_90a -O2 -o cluster_occupancy bench/cluster_occupancy.cu
//   ./cluster_occupancy
#include <cstdio>
#include <cuda_runtime.h>
#include <map>
#include <numeric>
#include <vector>
__device__ unsigned smid() {
  unsigned r;
  asm volatile("mov.u32 %0, %%smid;" : "=r"(r));
  return r;
}
__global__ void __cluster_dims__(8, 1, 1) k8(unsigned *out) {
  extern __shared__ float s[];
  s[threadIdx.x] = threadIdx.x;
  __syncthreads();
  if (threadIdx.x == 0)
    out[blockIdx.x] = smid();
  for (volatile int i = 0; i < 20000; i = i + 1) {
  }
}
__global__ void __cluster_dims__(2, 1, 1) k2(unsigned *out) {
  extern __shared__ float s[];
  s[threadIdx.x] = threadIdx.x;
  if (threadIdx.x == 0)
    out[blockIdx.x] = smid();
}
int find(std::vector<int> &p, int x) {
  return p[x] == x ? x : p[x] = find(p, p[x]);
}
int main() {
  cudaDeviceProp prop;
  cudaGetDeviceProperties(&prop, 0);
  printf("%s SMs %d\n", prop.name, prop.multiProcessorCount);
  cudaFuncSetAttribute(k8, cudaFuncAttributeMaxDynamicSharedMemorySize,
                       64 * 1024);
  cudaFuncSetAttribute(k2, cudaFuncAttributeMaxDynamicSharedMemorySize,
                       100 * 1024);
  struct {
    void *f;
    int threads, smem, cluster;
    const char *what;
  } cases[] = {{(void *)k8, 256, 16384, 8, "8x256, 16 KiB (8 blocks/SM)"},
               {(void *)k8, 256, 28672, 8, "8x256, 28 KiB (7 blocks/SM)"},
               {(void *)k8, 256, 32768, 8, "8x256, 32 KiB (6 blocks/SM)"},
               {(void *)k8, 256, 45056, 8, "8x256, 44 KiB (5 blocks/SM)"},
               {(void *)k2, 1024, 65536, 2, "2x1024, 64 KiB"}};
  for (auto &c : cases) {
    cudaLaunchConfig_t cfg = {};
    cfg.gridDim = dim3(8192);
    cfg.blockDim = dim3(c.threads);
    cfg.dynamicSmemBytes = c.smem;
    cudaLaunchAttribute a;
    a.id = cudaLaunchAttributeClusterDimension;
    a.val.clusterDim.x = c.cluster;
    a.val.clusterDim.y = 1;
    a.val.clusterDim.z = 1;
    cfg.attrs = &a;
    cfg.numAttrs = 1;
    int n = 0;
    cudaError_t e = cudaOccupancyMaxActiveClusters(&n, c.f, &cfg);
    int perSM = 0;
    cudaOccupancyMaxActiveBlocksPerMultiprocessor(&perSM, c.f, c.threads,
                                                  c.smem);
    printf(
        "%-32s blocks/SM %d, active clusters %d (blocks %d of %d slots) %s\n",
        c.what, perSM, n, n * c.cluster, perSM * prop.multiProcessorCount,
        cudaGetErrorString(e));
  }
  // GPCs: SMs that share a cluster share a GPC.
  int blocks = 8 * 2048;
  unsigned *d;
  cudaMalloc(&d, blocks * 4);
  k8<<<blocks, 256, 16384>>>(d);
  cudaDeviceSynchronize();
  std::vector<unsigned> h(blocks);
  cudaMemcpy(h.data(), d, blocks * 4, cudaMemcpyDeviceToHost);
  std::vector<int> p(256);
  std::iota(p.begin(), p.end(), 0);
  std::vector<bool> seen(256);
  for (int c = 0; c < blocks / 8; ++c)
    for (int i = 0; i < 8; ++i) {
      seen[h[8 * c + i]] = true;
      p[find(p, h[8 * c + i])] = find(p, h[8 * c]);
    }
  std::map<int, int> sizes;
  for (int s = 0; s < 256; ++s)
    if (seen[s])
      sizes[find(p, s)]++;
  printf("GPC sizes (SMs):");
  for (auto &kv : sizes)
    printf(" %d", kv.second);
  printf("  (%s)\n", cudaGetErrorString(cudaGetLastError()));
}
