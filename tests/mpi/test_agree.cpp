// Errors reach every rank the same: agree() and run_on_root() at any rank count.
#include <gtest/gtest.h>

#include "comm/agree.hpp"
#include "comm/communicator.hpp"

using conceptlens::ExitCode;
using conceptlens::InputError;
using conceptlens::OutputError;
namespace mpi = conceptlens::mpi;

TEST(Agree, NoFailureIsOkEverywhere) {
  const auto outcome = mpi::agree(MPI_COMM_WORLD, mpi::capture([] {}));
  EXPECT_TRUE(outcome.ok());
  EXPECT_TRUE(outcome.message.empty());
}

TEST(Agree, LowestFailingRankWinsOnEveryRank) {
  mpi::Communicator comm(MPI_COMM_WORLD);
  const int last = comm.size() - 1;
  // The last rank fails with an input error; when there are 3+ ranks, rank 1 fails too, with an
  // output error, and being lower it wins.
  const auto outcome = mpi::agree(comm.get(), mpi::capture([&] {
    if (comm.rank() == 1 && comm.size() >= 3) throw OutputError("rank 1 cannot write");
    if (comm.rank() == last) throw InputError("bad.npy: bad magic on rank " + std::to_string(last));
  }));
  ASSERT_FALSE(outcome.ok());
  if (comm.size() >= 3) {
    EXPECT_EQ(outcome.code, ExitCode::bad_output);
    EXPECT_EQ(outcome.message, "rank 1 cannot write");
  } else {
    EXPECT_EQ(outcome.code, ExitCode::bad_input);
    EXPECT_EQ(outcome.message, "bad.npy: bad magic on rank " + std::to_string(last));
  }
}

TEST(Agree, RunOnRootSharesTheRootsOutcome) {
  mpi::Communicator comm(MPI_COMM_WORLD);
  int ran = 0;
  const auto outcome = mpi::run_on_root(comm.get(), 0, [&] {
    ++ran;
    throw InputError("x.npy: value at row 1, column 2 is NaN");
  });
  EXPECT_EQ(ran, comm.rank() == 0 ? 1 : 0);
  EXPECT_EQ(outcome.code, ExitCode::bad_input);
  EXPECT_EQ(outcome.message, "x.npy: value at row 1, column 2 is NaN");
}

TEST(Agree, UnexpectedExceptionsAreInternalErrors) {
  const auto outcome = mpi::run_on_root(MPI_COMM_WORLD, 0, [] { throw std::runtime_error("boom"); });
  EXPECT_EQ(outcome.code, ExitCode::internal);
  EXPECT_EQ(outcome.message, "internal error: boom");
}
