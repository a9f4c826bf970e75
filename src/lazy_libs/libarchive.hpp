// libarchive, loaded on first use. Linking it would make every run of runner-kernel load it and
// the libraries it depends on (xml2, icu, lzma, ...), which costs milliseconds per start; only
// extracting sources and writing OCI image layers need it.
#pragma once

#include <archive.h>
#include <archive_entry.h>

#include "lazy_libs/shared_library.hpp"

namespace rk::lazy_libs {

// The libarchive functions runner-kernel calls, by their C names.
struct Libarchive {
  // Errors.
  decltype(&::archive_errno) archive_errno;
  decltype(&::archive_error_string) archive_error_string;
  decltype(&::archive_set_error) archive_set_error;  // variadic: printf-style, unchecked

  // Reading (source: tarballs, .deb packages).
  decltype(&::archive_read_new) archive_read_new;
  decltype(&::archive_read_free) archive_read_free;
  decltype(&::archive_read_support_filter_all) archive_read_support_filter_all;
  decltype(&::archive_read_support_format_ar) archive_read_support_format_ar;
  decltype(&::archive_read_support_format_tar) archive_read_support_format_tar;
  decltype(&::archive_read_open) archive_read_open;
  decltype(&::archive_read_next_header) archive_read_next_header;
  decltype(&::archive_read_data) archive_read_data;
  decltype(&::archive_read_data_block) archive_read_data_block;

  // Writing (image: layer tars; source: extraction to disk).
  decltype(&::archive_write_new) archive_write_new;
  decltype(&::archive_write_free) archive_write_free;
  decltype(&::archive_write_set_format_ustar) archive_write_set_format_ustar;
  decltype(&::archive_write_set_bytes_per_block) archive_write_set_bytes_per_block;
  decltype(&::archive_write_add_filter_gzip) archive_write_add_filter_gzip;
  decltype(&::archive_write_set_filter_option) archive_write_set_filter_option;
  decltype(&::archive_write_open) archive_write_open;
  decltype(&::archive_write_header) archive_write_header;
  decltype(&::archive_write_data) archive_write_data;
  decltype(&::archive_write_data_block) archive_write_data_block;
  decltype(&::archive_write_finish_entry) archive_write_finish_entry;
  decltype(&::archive_write_close) archive_write_close;
  decltype(&::archive_write_disk_new) archive_write_disk_new;
  decltype(&::archive_write_disk_set_options) archive_write_disk_set_options;
  decltype(&::archive_write_disk_set_standard_lookup) archive_write_disk_set_standard_lookup;

  // Entries.
  decltype(&::archive_entry_new) archive_entry_new;
  decltype(&::archive_entry_free) archive_entry_free;
  decltype(&::archive_entry_clear) archive_entry_clear;
  decltype(&::archive_entry_pathname) archive_entry_pathname;
  decltype(&::archive_entry_hardlink) archive_entry_hardlink;
  decltype(&::archive_entry_symlink) archive_entry_symlink;
  decltype(&::archive_entry_filetype) archive_entry_filetype;
  decltype(&::archive_entry_perm) archive_entry_perm;
  decltype(&::archive_entry_size) archive_entry_size;
  decltype(&::archive_entry_set_pathname) archive_entry_set_pathname;
  decltype(&::archive_entry_set_hardlink) archive_entry_set_hardlink;
  decltype(&::archive_entry_set_filetype) archive_entry_set_filetype;
  decltype(&::archive_entry_set_perm) archive_entry_set_perm;
  decltype(&::archive_entry_set_uid) archive_entry_set_uid;
  decltype(&::archive_entry_set_gid) archive_entry_set_gid;
  decltype(&::archive_entry_set_uname) archive_entry_set_uname;
  decltype(&::archive_entry_set_gname) archive_entry_set_gname;
  decltype(&::archive_entry_set_mtime) archive_entry_set_mtime;
  decltype(&::archive_entry_set_size) archive_entry_set_size;
};

// libarchive (the SONAME of the library the build found), loaded by the first call;
// thread-safe. Throws LibraryLoadError (naming the package libarchive13) when it cannot be
// loaded; a later call tries again.
const Libarchive& libarchive();

// Loads libarchive from `soname` and binds its functions, without caching it (libarchive()
// caches; tests pass SONAMEs that do not exist).
Libarchive load_libarchive(const char* soname);

}  // namespace rk::lazy_libs
