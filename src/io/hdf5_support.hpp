#pragma once
// Plumbing shared by the HDF5 reader and writer: turning HDF5 failures into
// edgesim::RuntimeError with a useful message, and scalar attributes.
#include <edgesim/error.hpp>

#include <H5Cpp.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace edgesim::io {

// Stops HDF5 from printing its error stack to stderr (edgesim reports errors itself,
// once, with the file name). Instead the innermost entry of each failing stack is kept,
// because H5Cpp's exceptions only say which call failed ("H5Fcreate failed"), not why
// ("errno = 2, error message = 'No such file or directory'"). Cheap; call before use.
void quiet_hdf5_errors();

// Throws RuntimeError "<context>: <failed call>: <innermost HDF5 message>".
[[noreturn]] void throw_hdf5_failure(std::string_view context, const H5::Exception& error);

// Runs `body`, translating an H5::Exception it throws with throw_hdf5_failure().
template <class Body> decltype(auto) translate_hdf5_errors(std::string_view context, Body&& body) {
  try {
    return std::forward<Body>(body)();
  } catch (const H5::Exception& error) {
    throw_hdf5_failure(context, error);
  }
}

// Scalar attributes. Readers accept any type HDF5 converts to the requested one, and
// throw H5::AttributeIException when the attribute is missing.
void write_string_attribute(H5::H5Object& owner, std::string_view name, std::string_view value);
void write_u8_attribute(H5::H5Object& owner, std::string_view name, std::uint8_t value);
void write_u32_attribute(H5::H5Object& owner, std::string_view name, std::uint32_t value);
void write_u64_attribute(H5::H5Object& owner, std::string_view name, std::uint64_t value);
void write_f64_attribute(H5::H5Object& owner, std::string_view name, double value);

[[nodiscard]] std::string read_string_attribute(const H5::H5Object& owner, std::string_view name);
[[nodiscard]] std::uint64_t read_u64_attribute(const H5::H5Object& owner, std::string_view name);
[[nodiscard]] double read_f64_attribute(const H5::H5Object& owner, std::string_view name);

} // namespace edgesim::io
