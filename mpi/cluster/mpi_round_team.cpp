#include "cluster/mpi_round_team.hpp"

#include <algorithm>
#include <climits>
#include <vector>

#include "cluster/neighbour_table.hpp"
#include "util/error.hpp"

namespace conceptlens::mpi {

namespace {

constexpr int kStride = cluster::NeighbourTable::kStride;
constexpr std::size_t kPieceBytes = std::size_t{1} << 30;

/// inout := the first kStride entries of in ∪ inout, per state (both sorted).
void merge_sorted(void* in, void* inout, int* states, MPI_Datatype* /*type*/) {
  auto* a = static_cast<const cluster::Nearest*>(in);
  auto* b = static_cast<cluster::Nearest*>(inout);
  cluster::Nearest merged[kStride];
  for (int s = 0; s < *states; ++s, a += kStride, b += kStride) {
    int i = 0;
    int j = 0;
    for (int q = 0; q < kStride; ++q) {
      if (j >= kStride || (i < kStride && !cluster::before(b[j], a[i]))) {
        if (j < kStride && b[j].index == a[i].index && b[j].distance == a[i].distance) ++j;  // the same entry
        merged[q] = a[i++];
      } else {
        merged[q] = b[j++];
      }
    }
    std::copy_n(merged, kStride, b);
  }
}

}  // namespace

MpiRoundTeam::MpiRoundTeam(MPI_Comm comm) : comm_(comm) {
  MPI_Type_contiguous(static_cast<int>(kStride * sizeof(cluster::Nearest)), MPI_BYTE, &list_type_);
  MPI_Type_commit(&list_type_);
  MPI_Op_create(&merge_sorted, /*commute=*/1, &merge_);
}

MpiRoundTeam::~MpiRoundTeam() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (finalized) return;
  MPI_Op_free(&merge_);
  MPI_Type_free(&list_type_);
}

void MpiRoundTeam::sum(double* values, std::int64_t count) {
  CONCEPTLENS_CHECK(count <= INT_MAX);
  MPI_Allreduce(MPI_IN_PLACE, values, static_cast<int>(count), MPI_DOUBLE, MPI_SUM, comm_.get());
  ++stats.collectives;
  stats.bytes_received += static_cast<double>(count) * sizeof(double);
}

void MpiRoundTeam::allgather(double* all, const std::vector<std::int64_t>& counts) {
  std::vector<int> sizes(counts.size());
  std::vector<int> offsets(counts.size());
  std::int64_t total = 0;
  for (std::size_t r = 0; r < counts.size(); ++r) {
    CONCEPTLENS_CHECK(total + counts[r] <= INT_MAX);
    offsets[r] = static_cast<int>(total);
    sizes[r] = static_cast<int>(counts[r]);
    total += counts[r];
  }
  MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, all, sizes.data(), offsets.data(), MPI_DOUBLE, comm_.get());
  ++stats.collectives;
  stats.bytes_received += static_cast<double>(total - counts[static_cast<std::size_t>(rank())]) * sizeof(double);
}

void MpiRoundTeam::merge_lists(cluster::Nearest* lists, std::int64_t states) {
  for (std::int64_t first = 0; first < states; first += INT_MAX) {
    const auto count = static_cast<int>(std::min<std::int64_t>(INT_MAX, states - first));
    MPI_Allreduce(MPI_IN_PLACE, lists + first * kStride, count, list_type_, merge_, comm_.get());
    ++stats.collectives;
  }
  stats.bytes_received += static_cast<double>(states) * kStride * sizeof(cluster::Nearest);
}

void MpiRoundTeam::exchange(const void* send, std::size_t send_bytes, int to, void* receive,
                            std::size_t receive_bytes, int from) {
  std::vector<MPI_Request> requests;
  for (std::size_t at = 0; at < receive_bytes; at += kPieceBytes) {
    requests.emplace_back();
    MPI_Irecv(static_cast<char*>(receive) + at, static_cast<int>(std::min(kPieceBytes, receive_bytes - at)), MPI_BYTE,
              from, 0, comm_.get(), &requests.back());
  }
  for (std::size_t at = 0; at < send_bytes; at += kPieceBytes) {
    requests.emplace_back();
    MPI_Isend(static_cast<const char*>(send) + at, static_cast<int>(std::min(kPieceBytes, send_bytes - at)), MPI_BYTE,
              to, 0, comm_.get(), &requests.back());
  }
  MPI_Waitall(static_cast<int>(requests.size()), requests.data(), MPI_STATUSES_IGNORE);
  ++stats.collectives;
  stats.bytes_received += static_cast<double>(receive_bytes);
}

}  // namespace conceptlens::mpi
