#include "comm/node_share.hpp"

#include <sched.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <bitset>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "app/cluster_command.hpp"
#include "comm/communicator.hpp"
#include "util/memory.hpp"

namespace conceptlens::mpi {

NodeShare node_share(MPI_Comm comm) {
  NodeShare share;
  char name[MPI_MAX_PROCESSOR_NAME] = {};
  int length = 0;
  MPI_Get_processor_name(name, &length);
  share.host.assign(name, static_cast<std::size_t>(length));
  share.ranks_on_node = ranks_on_node(comm);
  share.available = available_memory();
  share.memory_per_rank = share.available / static_cast<std::uint64_t>(share.ranks_on_node);
  cpu_set_t mask;
  CPU_ZERO(&mask);
  const int allowed = sched_getaffinity(0, sizeof mask, &mask) == 0 ? CPU_COUNT(&mask) : 1;
  const int cores = static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
  share.threads_per_rank = std::max(1, std::min(allowed, cores / share.ranks_on_node));
  return share;
}

std::uint64_t smallest_memory_per_rank(MPI_Comm comm, const NodeShare& mine) {
  const unsigned long long share = mine.memory_per_rank;
  unsigned long long smallest = share;
  MPI_Allreduce(&share, &smallest, 1, MPI_UNSIGNED_LONG_LONG, MPI_MIN, comm);
  return smallest;
}

namespace {

/// The kernel's boot id: the same on every process of one machine, whatever its namespaces.
std::string boot_id() {
  std::ifstream file("/proc/sys/kernel/random/boot_id");
  std::string id;
  std::getline(file, id);
  return id;
}

}  // namespace

void warn_about_shared_cores(MPI_Comm comm) {
  constexpr int kCpus = 1024;
  struct Record {
    char boot[48];
    char host[MPI_MAX_PROCESSOR_NAME];
    unsigned long long mask[kCpus / 64];
  };
  Record record{};
  boot_id().copy(record.boot, sizeof record.boot - 1);
  int length = 0;
  MPI_Get_processor_name(record.host, &length);
  cpu_set_t mask;
  CPU_ZERO(&mask);
  if (sched_getaffinity(0, sizeof mask, &mask) == 0) {
    for (int cpu = 0; cpu < kCpus && cpu < CPU_SETSIZE; ++cpu) {
      if (CPU_ISSET(cpu, &mask)) record.mask[cpu / 64] |= 1ULL << (cpu % 64);
    }
  }
  const int ranks = size(comm);
  std::vector<Record> all(rank(comm) == 0 ? static_cast<std::size_t>(ranks) : 0);
  MPI_Gather(&record, sizeof record, MPI_BYTE, all.data(), sizeof record, MPI_BYTE, 0, comm);
  if (rank(comm) != 0 || record.boot[0] == '\0') return;

  const auto cpus_of = [](const Record& r) {
    std::bitset<kCpus> bits;
    for (int cpu = 0; cpu < kCpus; ++cpu) bits[static_cast<std::size_t>(cpu)] = (r.mask[cpu / 64] >> (cpu % 64)) & 1U;
    return bits;
  };
  std::map<std::string, std::vector<int>> machines;  // boot id -> ranks
  for (int r = 0; r < ranks; ++r) machines[all[static_cast<std::size_t>(r)].boot].push_back(r);
  const auto cores = static_cast<std::size_t>(std::max(1U, std::thread::hardware_concurrency()));
  for (const auto& [boot, members] : machines) {
    std::set<std::string> hosts;
    for (const int r : members) hosts.insert(all[static_cast<std::size_t>(r)].host);
    if (hosts.size() < 2) continue;  // one node: Open MPI knows its ranks share it
    for (std::size_t a = 0; a < members.size(); ++a) {
      for (std::size_t b = a + 1; b < members.size(); ++b) {
        const Record& first = all[static_cast<std::size_t>(members[a])];
        const Record& second = all[static_cast<std::size_t>(members[b])];
        if (std::string(first.host) == second.host) continue;
        const auto shared = cpus_of(first) & cpus_of(second);
        if (shared.none() || cpus_of(first).count() >= cores) continue;
        spdlog::warn("ranks {} (host {}) and {} (host {}) run on one machine but are bound to the same core(s): "
                     "Open MPI takes the hosts for different nodes and binds each one's first rank to its first "
                     "core, so every message between them waits for a time slice. Start mpirun with --bind-to none "
                     "or give each host its own cores.",
                     members[a], first.host, members[b], second.host);
        return;
      }
    }
    if (members.size() > cores) {
      spdlog::warn("{} ranks on {} hosts run on one machine with {} cores: each host's ranks poll for messages as if "
                   "they had the cores to themselves, so messages wait for time slices (milliseconds per step)",
                   members.size(), hosts.size(), cores);
    }
  }
}

std::string describe_hosts(MPI_Comm comm, const NodeShare& mine) {
  // fixed-size records: host name, then the numbers
  struct Record {
    char host[MPI_MAX_PROCESSOR_NAME];
    unsigned long long available;
    unsigned long long memory_per_rank;
    int threads;
  };
  Record record{};
  mine.host.copy(record.host, sizeof record.host - 1);
  record.available = mine.available;
  record.memory_per_rank = mine.memory_per_rank;
  record.threads = mine.threads_per_rank;
  const int ranks = size(comm);
  std::vector<Record> all(rank(comm) == 0 ? static_cast<std::size_t>(ranks) : 0);
  MPI_Gather(&record, sizeof record, MPI_BYTE, all.data(), sizeof record, MPI_BYTE, 0, comm);
  if (rank(comm) != 0) return "";

  std::map<std::string, std::vector<int>> ranks_of;  // host -> its ranks
  std::map<std::string, Record> first_of;
  for (int r = 0; r < ranks; ++r) {
    const Record& one = all[static_cast<std::size_t>(r)];
    ranks_of[one.host].push_back(r);
    first_of.emplace(one.host, one);
  }
  std::string text = "hosts: " + std::to_string(ranks_of.size()) + "\n";
  for (const auto& [host, members] : ranks_of) {
    const Record& one = first_of.at(host);
    std::string list;
    for (const int r : members) {
      if (!list.empty()) list += ',';
      list += std::to_string(r);
    }
    const auto budget = static_cast<std::uint64_t>(app::kDefaultMemoryShare * static_cast<double>(one.memory_per_rank));
    text += "  host " + host + ": " + std::to_string(members.size()) + " rank(s) (" + list + "), " +
            format_bytes(one.available) + " available, default --memory-per-rank " +
            format_bytes(budget) +
            ", extraction threads per rank " + std::to_string(one.threads) + "\n";
  }
  return text;
}

}  // namespace conceptlens::mpi
