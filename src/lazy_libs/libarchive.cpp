#include "lazy_libs/libarchive.hpp"

namespace rk::lazy_libs {

Libarchive load_libarchive(const char* soname) {
  SharedLibrary lib({"libarchive", soname, "libarchive13"});
  Libarchive la;
  lib.bind(la.archive_errno, "archive_errno");
  lib.bind(la.archive_error_string, "archive_error_string");
  lib.bind(la.archive_set_error, "archive_set_error");
  lib.bind(la.archive_read_new, "archive_read_new");
  lib.bind(la.archive_read_free, "archive_read_free");
  lib.bind(la.archive_read_support_filter_all, "archive_read_support_filter_all");
  lib.bind(la.archive_read_support_format_ar, "archive_read_support_format_ar");
  lib.bind(la.archive_read_support_format_tar, "archive_read_support_format_tar");
  lib.bind(la.archive_read_open, "archive_read_open");
  lib.bind(la.archive_read_next_header, "archive_read_next_header");
  lib.bind(la.archive_read_data, "archive_read_data");
  lib.bind(la.archive_read_data_block, "archive_read_data_block");
  lib.bind(la.archive_write_new, "archive_write_new");
  lib.bind(la.archive_write_free, "archive_write_free");
  lib.bind(la.archive_write_set_format_ustar, "archive_write_set_format_ustar");
  lib.bind(la.archive_write_set_bytes_per_block, "archive_write_set_bytes_per_block");
  lib.bind(la.archive_write_add_filter_gzip, "archive_write_add_filter_gzip");
  lib.bind(la.archive_write_set_filter_option, "archive_write_set_filter_option");
  lib.bind(la.archive_write_open, "archive_write_open");
  lib.bind(la.archive_write_header, "archive_write_header");
  lib.bind(la.archive_write_data, "archive_write_data");
  lib.bind(la.archive_write_data_block, "archive_write_data_block");
  lib.bind(la.archive_write_finish_entry, "archive_write_finish_entry");
  lib.bind(la.archive_write_close, "archive_write_close");
  lib.bind(la.archive_write_disk_new, "archive_write_disk_new");
  lib.bind(la.archive_write_disk_set_options, "archive_write_disk_set_options");
  lib.bind(la.archive_write_disk_set_standard_lookup, "archive_write_disk_set_standard_lookup");
  lib.bind(la.archive_entry_new, "archive_entry_new");
  lib.bind(la.archive_entry_free, "archive_entry_free");
  lib.bind(la.archive_entry_clear, "archive_entry_clear");
  lib.bind(la.archive_entry_pathname, "archive_entry_pathname");
  lib.bind(la.archive_entry_hardlink, "archive_entry_hardlink");
  lib.bind(la.archive_entry_symlink, "archive_entry_symlink");
  lib.bind(la.archive_entry_filetype, "archive_entry_filetype");
  lib.bind(la.archive_entry_perm, "archive_entry_perm");
  lib.bind(la.archive_entry_size, "archive_entry_size");
  lib.bind(la.archive_entry_set_pathname, "archive_entry_set_pathname");
  lib.bind(la.archive_entry_set_hardlink, "archive_entry_set_hardlink");
  lib.bind(la.archive_entry_set_filetype, "archive_entry_set_filetype");
  lib.bind(la.archive_entry_set_perm, "archive_entry_set_perm");
  lib.bind(la.archive_entry_set_uid, "archive_entry_set_uid");
  lib.bind(la.archive_entry_set_gid, "archive_entry_set_gid");
  lib.bind(la.archive_entry_set_uname, "archive_entry_set_uname");
  lib.bind(la.archive_entry_set_gname, "archive_entry_set_gname");
  lib.bind(la.archive_entry_set_mtime, "archive_entry_set_mtime");
  lib.bind(la.archive_entry_set_size, "archive_entry_set_size");
  return la;
}

const Libarchive& libarchive() {
  // A function-local static is initialised once even when threads race to it, and an
  // exception leaves it uninitialised, so that the next call tries again.
  static const Libarchive la = load_libarchive(RK_LIBARCHIVE_SONAME);
  return la;
}

}  // namespace rk::lazy_libs
