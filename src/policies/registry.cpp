#include <edgesim/error.hpp>
#include <edgesim/policy.hpp>

#include "policies/builtin.hpp"

#include <fmt/format.h>

#include <dlfcn.h>

#include <algorithm>

namespace edgesim {
namespace {

template <typename Entry> const Entry* find_named(const std::vector<Entry>& entries, std::string_view name) {
  auto it = std::find_if(entries.begin(), entries.end(), [&](const Entry& e) { return e.name == name; });
  return it == entries.end() ? nullptr : &*it;
}

} // namespace

Registry& Registry::instance() {
  static Registry registry; // the one registry SimGrid-style plugins need: per process
  return registry;
}

Registry::Registry() {
  register_builtin_policies(*this);
  register_builtin_processes(*this);
}

void Registry::add_exit_policy(std::string name, std::string description, ExitPolicyFactory factory) {
  if (exit_policy(name) != nullptr)
    throw InputError(fmt::format("exit policy \"{}\" is registered twice", name));
  exit_.push_back({std::move(name), std::move(description), std::move(factory)});
}

void Registry::add_placement_policy(std::string name, std::string description, PlacementPolicyFactory factory) {
  if (placement_policy(name) != nullptr)
    throw InputError(fmt::format("placement policy \"{}\" is registered twice", name));
  place_.push_back({std::move(name), std::move(description), std::move(factory)});
}

void Registry::add_arrival_process(std::string name, std::string description, ArrivalProcessFactory factory) {
  if (arrival_process(name) != nullptr)
    throw InputError(fmt::format("arrival process \"{}\" is registered twice", name));
  arrival_.push_back({std::move(name), std::move(description), std::move(factory)});
}

void Registry::add_work_law(std::string name, std::string description, WorkLawFactory factory) {
  if (work_law(name) != nullptr)
    throw InputError(fmt::format("work law \"{}\" is registered twice", name));
  work_.push_back({std::move(name), std::move(description), std::move(factory)});
}

const ExitPolicyEntry* Registry::exit_policy(std::string_view name) const {
  return find_named(exit_, name);
}

const PlacementPolicyEntry* Registry::placement_policy(std::string_view name) const {
  return find_named(place_, name);
}

const ArrivalProcessEntry* Registry::arrival_process(std::string_view name) const {
  return find_named(arrival_, name);
}

const WorkLawEntry* Registry::work_law(std::string_view name) const {
  return find_named(work_, name);
}

void Registry::load_plugin(const std::string& path) {
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr)
    throw InputError(fmt::format("{}: cannot load plugin: {}", path, dlerror()));
  std::shared_ptr<void> owner(handle, [](void* h) { dlclose(h); });
  // dlopen gives the same handle for a library already loaded (under any path): its
  // policies are registered already. A forked sweep or dataset run inherits the
  // coordinator's plugins and is also told to load them.
  if (std::any_of(plugin_handles_.begin(), plugin_handles_.end(),
                  [&](const std::shared_ptr<void>& loaded) { return loaded.get() == handle; }))
    return;
  using RegisterFn = void (*)(Registry&);
  auto* fn = reinterpret_cast<RegisterFn>(dlsym(handle, "edgesim_register"));
  if (fn == nullptr)
    throw InputError(fmt::format("{}: not an edgesim plugin (no edgesim_register symbol)", path));
  fn(*this);
  plugin_handles_.push_back(std::move(owner));
}

} // namespace edgesim
