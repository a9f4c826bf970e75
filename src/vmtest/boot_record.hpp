// The boot-test record next to a variant's artifacts: out/<branch>/<arch>/boot-test.json.
// `runner-kernel image` reads it (as a file, without depending on this stage) and packages only
// kernels whose record passed and whose files still hash as they did when they were booted.
#pragma once

#include <filesystem>
#include <string>

#include "vmtest/report.hpp"

namespace rk::vmtest {

inline constexpr const char* kBootTestRecordName = "boot-test.json";
// The workload boot's record (runner-kernel test --workload), in the same shape.
inline constexpr const char* kWorkloadTestRecordName = "workload-test.json";

// Hashes the booted kernel and the shipped files beside it (vmlinux.bin.zst, config,
// System.map, whichever exist) and writes the record atomically into artifact_dir as
// `record_name`. Returns the record's path. Throws std::runtime_error when a file cannot be
// read.
std::string write_boot_test_record(const std::filesystem::path& artifact_dir,
                                   const std::filesystem::path& kernel, const VariantReport& report,
                                   const char* record_name = kBootTestRecordName);

}  // namespace rk::vmtest
