#include "io/hdf5_support.hpp"

#include "io/schema.hpp"

namespace edgesim::io {
namespace {

// Innermost message of the last failing HDF5 call; consumed by throw_hdf5_failure().
thread_local std::string last_failure_detail;

herr_t keep_innermost_entry(unsigned depth, const H5E_error2_t* entry, void* innermost) {
  // H5E_WALK_UPWARD visits the most specific entry (where the error arose) first.
  if (depth == 0 && entry->desc != nullptr) {
    *static_cast<std::string*>(innermost) = entry->desc;
  }
  return 0;
}

herr_t remember_failure(hid_t error_stack, void* /*unused*/) {
  std::string innermost;
  H5Ewalk2(error_stack, H5E_WALK_UPWARD, keep_innermost_entry, &innermost);
  last_failure_detail = std::move(innermost);
  return 0;
}

H5::Attribute create_scalar_attribute(H5::H5Object& owner, std::string_view name, const H5::DataType& type) {
  return owner.createAttribute(std::string(name), type, H5::DataSpace(H5S_SCALAR));
}

H5::Attribute open_existing_attribute(const H5::H5Object& owner, std::string_view name) {
  const std::string key(name);
  if (!owner.attrExists(key)) {
    throw H5::AttributeIException("open_existing_attribute",
                                  "missing attribute '" + key + "' on " + owner.getObjName());
  }
  return owner.openAttribute(key);
}

} // namespace

void quiet_hdf5_errors() {
  // Same effect as H5::Exception::dontPrint(), with a handler that records instead of
  // printing. Re-installed on every use because other code may have changed it.
  H5::Exception::dontPrint();
  H5Eset_auto2(H5E_DEFAULT, remember_failure, nullptr);
  last_failure_detail.clear();
}

void throw_hdf5_failure(std::string_view context, const H5::Exception& error) {
  std::string message(context);
  message += ": ";
  message += error.getDetailMsg();
  if (!last_failure_detail.empty() && last_failure_detail != error.getDetailMsg()) {
    message += " (" + last_failure_detail + ")";
  }
  last_failure_detail.clear();
  throw RuntimeError(message);
}

void write_string_attribute(H5::H5Object& owner, std::string_view name, std::string_view value) {
  const H5::StrType type = variable_string_type();
  create_scalar_attribute(owner, name, type).write(type, std::string(value));
}

void write_u8_attribute(H5::H5Object& owner, std::string_view name, std::uint8_t value) {
  create_scalar_attribute(owner, name, H5::PredType::STD_U8LE).write(H5::PredType::NATIVE_UINT8, &value);
}

void write_u32_attribute(H5::H5Object& owner, std::string_view name, std::uint32_t value) {
  create_scalar_attribute(owner, name, H5::PredType::STD_U32LE).write(H5::PredType::NATIVE_UINT32, &value);
}

void write_u64_attribute(H5::H5Object& owner, std::string_view name, std::uint64_t value) {
  create_scalar_attribute(owner, name, H5::PredType::STD_U64LE).write(H5::PredType::NATIVE_UINT64, &value);
}

void write_f64_attribute(H5::H5Object& owner, std::string_view name, double value) {
  create_scalar_attribute(owner, name, H5::PredType::IEEE_F64LE).write(H5::PredType::NATIVE_DOUBLE, &value);
}

std::string read_string_attribute(const H5::H5Object& owner, std::string_view name) {
  const H5::Attribute attribute = open_existing_attribute(owner, name);
  std::string value;
  // Reads variable-length and fixed-length strings alike.
  attribute.read(attribute.getStrType(), value);
  return value;
}

std::uint64_t read_u64_attribute(const H5::H5Object& owner, std::string_view name) {
  std::uint64_t value = 0;
  open_existing_attribute(owner, name).read(H5::PredType::NATIVE_UINT64, &value);
  return value;
}

double read_f64_attribute(const H5::H5Object& owner, std::string_view name) {
  double value = 0;
  open_existing_attribute(owner, name).read(H5::PredType::NATIVE_DOUBLE, &value);
  return value;
}

} // namespace edgesim::io
