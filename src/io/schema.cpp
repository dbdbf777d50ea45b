#include "io/schema.hpp"

namespace edgesim::io {

H5::StrType fixed_string_type() {
  H5::StrType type(H5::PredType::C_S1, kFixedStringBytes);
  // Null padding (not termination) lets a name use all kFixedStringBytes bytes.
  type.setStrpad(H5T_STR_NULLPAD);
  type.setCset(H5T_CSET_UTF8);
  return type;
}

H5::StrType variable_string_type() {
  H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
  // UTF-8 makes h5py return str rather than bytes.
  type.setCset(H5T_CSET_UTF8);
  return type;
}

} // namespace edgesim::io
