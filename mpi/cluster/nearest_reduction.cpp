#include "cluster/nearest_reduction.hpp"

#include <algorithm>

namespace conceptlens::mpi {

namespace {

bool before(const Candidate& a, const Candidate& b) {
  if (a.index < 0) return false;
  if (b.index < 0) return true;
  return a.distance < b.distance || (a.distance == b.distance && a.index < b.index);
}

void combine(void* in, void* inout, int* count, MPI_Datatype* /*type*/) {
  auto* a = static_cast<const Candidate*>(in);
  auto* b = static_cast<Candidate*>(inout);
  for (int q = 0; q < *count; ++q) {
    const double to_prefer = std::min(a[q].to_prefer, b[q].to_prefer);
    if (before(a[q], b[q])) b[q] = a[q];
    b[q].to_prefer = to_prefer;
  }
}

}  // namespace

NearestReduction::NearestReduction() {
  MPI_Type_contiguous(sizeof(Candidate), MPI_BYTE, &type_);
  MPI_Type_commit(&type_);
  MPI_Op_create(&combine, /*commute=*/1, &op_);
}

NearestReduction::~NearestReduction() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (finalized) return;
  if (op_ != MPI_OP_NULL) MPI_Op_free(&op_);
  if (type_ != MPI_DATATYPE_NULL) MPI_Type_free(&type_);
}

cluster::Nearest NearestReduction::reduce(MPI_Comm comm, const Candidate& mine, std::int64_t prefer) const {
  Candidate global = mine;
  MPI_Allreduce(&mine, &global, 1, type_, op_, comm);
  // The chain predecessor wins ties.
  if (prefer >= 0 && global.to_prefer <= global.distance) return {prefer, global.to_prefer};
  return {global.index, global.distance};
}

}  // namespace conceptlens::mpi
