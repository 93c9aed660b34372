#include "comm/agree.hpp"

#include <exception>
#include <vector>

#include "comm/communicator.hpp"

namespace conceptlens::mpi {

Outcome capture(const std::function<void()>& work) {
  try {
    work();
    return {};
  } catch (const Error& e) {
    return {e.code(), e.what()};
  } catch (const std::exception& e) {
    return {ExitCode::internal, std::string("internal error: ") + e.what()};
  }
}

namespace {
/// Collective. Sends `outcome` from `from` to every rank.
Outcome broadcast(MPI_Comm comm, int from, const Outcome& outcome) {
  int header[2] = {static_cast<int>(outcome.code), static_cast<int>(outcome.message.size())};
  MPI_Bcast(header, 2, MPI_INT, from, comm);
  std::vector<char> text(outcome.message.begin(), outcome.message.end());
  text.resize(static_cast<std::size_t>(header[1]));
  MPI_Bcast(text.data(), header[1], MPI_CHAR, from, comm);
  return {static_cast<ExitCode>(header[0]), std::string(text.begin(), text.end())};
}
}  // namespace

Outcome agree(MPI_Comm comm, const Outcome& local) {
  const int me = rank(comm);
  int first_failed = local.ok() ? size(comm) : me;
  MPI_Allreduce(MPI_IN_PLACE, &first_failed, 1, MPI_INT, MPI_MIN, comm);
  if (first_failed == size(comm)) return {};
  return broadcast(comm, first_failed, local);
}

Outcome run_on_root(MPI_Comm comm, int root, const std::function<void()>& work) {
  Outcome local;
  if (rank(comm) == root) local = capture(work);
  return broadcast(comm, root, local);
}

}  // namespace conceptlens::mpi
