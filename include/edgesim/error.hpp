#pragma once
// Error types shared by every layer of edgesim. An InputError is the user's fault
// (bad file, bad key, bad value) and maps to exit code 1; a RuntimeError is ours or the
// environment's and maps to exit code 3.
#include <stdexcept>
#include <string>

namespace edgesim {

class InputError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

class RuntimeError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

} // namespace edgesim
