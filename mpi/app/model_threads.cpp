#include "app/model_threads.hpp"

#include <cblas.h>
#include <sched.h>

#include <algorithm>
#include <thread>

#include "comm/communicator.hpp"
#include "model/encoder.hpp"

namespace conceptlens::mpi {

int use_model_threads(MPI_Comm comm, int requested) {
  const int on_node = ranks_on_node(comm);
  int threads = requested;
  if (threads <= 0) {
    cpu_set_t mask;
    CPU_ZERO(&mask);
    const int allowed = sched_getaffinity(0, sizeof mask, &mask) == 0 ? CPU_COUNT(&mask) : 1;
    const int cores = static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
    threads = std::max(1, std::min(allowed, cores / on_node));
  }
  model::set_torch_threads(1);
  openblas_set_num_threads(threads);
  return threads;
}

}  // namespace conceptlens::mpi
