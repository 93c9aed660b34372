// The per-step messages of the distributed Ward chain, timed alone: the 24-byte MPI_Allreduce
// of a chain step (NearestReduction, the same user operation the chain runs), a 24-byte
// ping-pong between ranks 0 and 1 (half the round trip), and the matrix mode's per-merge row
// broadcast (MPI_Bcast of --row doubles). Run it under the same mpirun settings as the
// clustering it explains (bench/bench_multihost.sh runs it on one host and across hosts):
//   mpirun -n 2 build/bench/conceptlens_bench_mpi_latency [--repeat 2000] [--row 10000]
// Prints, from rank 0, the median and the 10th/90th percentiles in microseconds.
#include <mpi.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "cluster/nearest_reduction.hpp"
#include "comm/communicator.hpp"

namespace {

struct Quantiles {
  double p10, median, p90;
};

Quantiles quantiles(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const auto at = [&](double q) { return values[static_cast<std::size_t>(q * static_cast<double>(values.size() - 1))]; };
  return {at(0.1), at(0.5), at(0.9)};
}

template <class F>
Quantiles time_each(MPI_Comm comm, int repeat, F&& step) {
  for (int r = 0; r < std::max(10, repeat / 10); ++r) step();  // connections made, caches warm
  std::vector<double> seconds(static_cast<std::size_t>(repeat));
  for (auto& s : seconds) {
    MPI_Barrier(comm);
    const double start = MPI_Wtime();
    step();
    s = 1e6 * (MPI_Wtime() - start);
  }
  return quantiles(std::move(seconds));
}

}  // namespace

int main(int argc, char** argv) {
  conceptlens::mpi::Session session(argc, argv);
  int repeat = 2000;
  int row = 10000;
  for (int a = 1; a + 1 < argc; a += 2) {
    if (std::strcmp(argv[a], "--repeat") == 0) repeat = std::atoi(argv[a + 1]);
    if (std::strcmp(argv[a], "--row") == 0) row = std::atoi(argv[a + 1]);
  }
  const MPI_Comm comm = MPI_COMM_WORLD;
  const int me = conceptlens::mpi::rank(comm);
  const int ranks = conceptlens::mpi::size(comm);
  char host[MPI_MAX_PROCESSOR_NAME] = {};
  int length = 0;
  MPI_Get_processor_name(host, &length);
  std::vector<char> hosts(static_cast<std::size_t>(ranks) * MPI_MAX_PROCESSOR_NAME);
  MPI_Gather(host, MPI_MAX_PROCESSOR_NAME, MPI_CHAR, hosts.data(), MPI_MAX_PROCESSOR_NAME, MPI_CHAR, 0, comm);

  const conceptlens::mpi::NearestReduction reduction;
  conceptlens::mpi::Candidate mine;
  mine.distance = 1.0 + me;
  mine.index = me;
  const Quantiles allreduce = time_each(comm, repeat, [&] { (void)reduction.reduce(comm, mine, -1); });

  char byte24[24] = {};
  const Quantiles pingpong = time_each(comm, repeat, [&] {
    if (ranks < 2 || me > 1) return;
    if (me == 0) {
      MPI_Send(byte24, 24, MPI_BYTE, 1, 0, comm);
      MPI_Recv(byte24, 24, MPI_BYTE, 1, 0, comm, MPI_STATUS_IGNORE);
    } else {
      MPI_Recv(byte24, 24, MPI_BYTE, 0, 0, comm, MPI_STATUS_IGNORE);
      MPI_Send(byte24, 24, MPI_BYTE, 0, 0, comm);
    }
  });

  std::vector<double> buffer(static_cast<std::size_t>(row), 1.0);
  const Quantiles bcast = time_each(comm, std::max(1, repeat / 4), [&] {
    MPI_Bcast(buffer.data(), row, MPI_DOUBLE, 0, comm);
  });

  if (me == 0) {
    std::string where;
    for (int r = 0; r < ranks; ++r) where += std::string(r ? "," : "") + &hosts[static_cast<std::size_t>(r) * MPI_MAX_PROCESSOR_NAME];
    std::printf("ranks %d on hosts %s, %d repeats\n", ranks, where.c_str(), repeat);
    const auto line = [](const char* what, const Quantiles& q) {
      std::printf("%-34s median %9.1f us  (p10 %9.1f, p90 %9.1f)\n", what, q.median, q.p10, q.p90);
    };
    line("allreduce 24 B (chain step)", allreduce);
    line("ping-pong 24 B (half round trip)", {pingpong.p10 / 2, pingpong.median / 2, pingpong.p90 / 2});
    std::printf("%-34s median %9.1f us  (p10 %9.1f, p90 %9.1f)\n", ("bcast " + std::to_string(row) + " doubles (merge)").c_str(),
                bcast.median, bcast.p10, bcast.p90);
  }
  return 0;
}
