#include "app/model_threads.hpp"

#include <cblas.h>

#include "comm/node_share.hpp"
#include "model/encoder.hpp"

namespace conceptlens::mpi {

int use_model_threads(MPI_Comm comm, int requested) {
  const int share = node_share(comm).threads_per_rank;  // collective: every rank asks
  const int threads = requested > 0 ? requested : share;
  model::set_torch_threads(1);
  openblas_set_num_threads(threads);
  return threads;
}

}  // namespace conceptlens::mpi
