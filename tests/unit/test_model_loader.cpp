// Model profiles (load_model_file / load_model_table) and exit traces (load_exit_trace):
// parsed values, and errors that name the file, the line and the key path.
#include "model/model_loader.hpp"

#include <edgesim/error.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include <unistd.h>

namespace {

namespace fs = std::filesystem;
using edgesim::InputError;
using edgesim::ModelProfile;

const fs::path kData = fs::absolute(EDGESIM_TEST_DATA);
const fs::path kRoot = kData.parent_path().parent_path();

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (auto pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size()))
    text.replace(pos, from.size(), to);
  return text;
}

std::string error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

class ModelLoaderTest : public ::testing::Test {
protected:
  void SetUp() override {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / ("edgesim_model_" + std::to_string(::getpid()) + "_" + test->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& text) {
    fs::path path = dir_ / name;
    std::ofstream(path) << text;
    return path.string();
  }

  // Message of loading `text` as a model file, or "" when it loads.
  std::string model_error(const std::string& text) {
    const std::string file = write("model.toml", text);
    return error_of([&] { edgesim::load_model_file(file); });
  }

  std::string trace_error(const std::string& text, std::size_t num_exits) {
    const std::string file = write("trace.csv", text);
    return error_of([&] { edgesim::load_exit_trace(file, num_exits); });
  }

  fs::path dir_;
};

// Lines numbered for the tests that check them.
const char* const kModel = R"(name = "m"
input_bytes = 100
[[layers]]
name = "l0"
flops = 10
out_bytes = 50
param_bytes = 7
[[layers]]
name = "l1"
flops = 20
out_bytes = 30
[[layers]]
name = "l2"
flops = 30
out_bytes = 5
[[exits]]
after = "l0"
flops = 1
accuracy = 0.4
[final]
accuracy = 0.9
)";

TEST_F(ModelLoaderTest, LoadsTheTinyFixture) {
  ModelProfile m = edgesim::load_model_file((kData / "scenarios" / "tiny-model.toml").string());
  EXPECT_EQ(m.name, "tiny");
  EXPECT_DOUBLE_EQ(m.input_bytes, 1000.0);
  ASSERT_EQ(m.layers.size(), 4U);
  EXPECT_EQ(m.layers[1].name, "b");
  EXPECT_DOUBLE_EQ(m.layers[1].flops, 2e6);
  EXPECT_DOUBLE_EQ(m.layers[1].out_bytes, 400.0);
  EXPECT_DOUBLE_EQ(m.layers[1].param_bytes, 2e6);
  ASSERT_EQ(m.exits.size(), 2U);
  EXPECT_EQ(m.exits[0].after_layer, 0U) << "by name";
  EXPECT_EQ(m.exits[1].after_layer, 2U) << "by index";
  EXPECT_DOUBLE_EQ(m.exits[1].flops, 2e3);
  EXPECT_DOUBLE_EQ(m.exits[1].accuracy, 0.7);
  EXPECT_DOUBLE_EQ(m.final_accuracy, 0.8);
  EXPECT_DOUBLE_EQ(m.exit_accuracy(0), 0.5);
  EXPECT_DOUBLE_EQ(m.exit_accuracy(2), 0.8);
  EXPECT_DOUBLE_EQ(m.total_flops(), 4.5e6);
  EXPECT_TRUE(m.trace.empty());
  EXPECT_EQ(m.source_file, (kData / "scenarios" / "tiny-model.toml").string());
}

TEST_F(ModelLoaderTest, LoadsAShippedProfile) {
  ModelProfile m = edgesim::load_model_file((kRoot / "scenarios" / "models" / "mobilenetv2-3exit.toml").string());
  EXPECT_EQ(m.name, "mobilenetv2-3exit");
  EXPECT_EQ(m.layers.size(), 20U);
  ASSERT_EQ(m.exits.size(), 3U);
  EXPECT_LT(m.exits[0].after_layer, m.exits[1].after_layer);
  EXPECT_LT(m.exits[1].after_layer, m.exits[2].after_layer);
  EXPECT_NEAR(m.total_flops(), 6.01549e8, 1e4);
  EXPECT_GT(m.final_accuracy, 0.5);
  EXPECT_LE(m.final_accuracy, 1.0);
  EXPECT_FALSE(m.efficiency.empty());
}

TEST_F(ModelLoaderTest, DefaultsAndOptionalTables) {
  ModelProfile m = edgesim::load_model_file(write("model.toml", kModel));
  EXPECT_DOUBLE_EQ(m.layers[1].param_bytes, 0.0) << "param_bytes defaults to 0";
  EXPECT_DOUBLE_EQ(m.total_param_bytes(), 7.0);
  EXPECT_DOUBLE_EQ(m.difficulty_correlation, 0.95);
  EXPECT_DOUBLE_EQ(m.confidence_noise, 0.5);
  EXPECT_DOUBLE_EQ(m.efficiency_on("anything"), 1.0);

  ModelProfile tuned = edgesim::load_model_file(write("tuned.toml", std::string(kModel) + R"(
[efficiency]
rpi4b = 0.5
jetson_nano = 2
[confidence]
source = "synthetic"
difficulty_correlation = 0.5
confidence_noise = 0.25
)"));
  EXPECT_DOUBLE_EQ(tuned.efficiency_on("rpi4b"), 0.5);
  EXPECT_DOUBLE_EQ(tuned.efficiency_on("jetson_nano"), 2.0);
  EXPECT_DOUBLE_EQ(tuned.efficiency_on("other"), 1.0);
  EXPECT_DOUBLE_EQ(tuned.difficulty_correlation, 0.5);
  EXPECT_DOUBLE_EQ(tuned.confidence_noise, 0.25);
}

TEST_F(ModelLoaderTest, InlineTableUsesThePathInMessages) {
  toml::table table = toml::parse(kModel);
  ModelProfile m = edgesim::load_model_table(table, "scenario.toml", "tenants.2.model", dir_.string());
  EXPECT_EQ(m.layers.size(), 3U);
  EXPECT_EQ(m.source_file, "scenario.toml");

  table.get_as<toml::array>("layers")->get(1)->as_table()->erase("flops");
  auto message = error_of([&] { edgesim::load_model_table(table, "scenario.toml", "tenants.2.model", dir_.string()); });
  EXPECT_NE(message.find("scenario.toml:8: tenants.2.model.layers.1.flops: expected a number (missing)"),
            std::string::npos)
      << message;
}

TEST_F(ModelLoaderTest, ExitTraceResolvedRelativeToTheModel) {
  fs::copy_file(kData / "scenarios" / "tiny-exit-trace.csv", dir_ / "trace.csv");
  std::string text = replace_all(kModel, "[[exits]]\nafter = \"l0\"",
                                 "[[exits]]\nafter = 0\nflops = 1\naccuracy = 0.3\n[[exits]]\nafter = \"l1\"");
  text += "[confidence]\ntrace = \"trace.csv\"\n";
  ModelProfile m = edgesim::load_model_file(write("model.toml", text));
  ASSERT_EQ(m.exits.size(), 2U);
  ASSERT_EQ(m.trace.size(), 6U);
  // Sorted by sample, then exit.
  EXPECT_EQ(m.trace[3].sample, 1U);
  EXPECT_EQ(m.trace[3].exit, 0);
  EXPECT_DOUBLE_EQ(m.trace[3].confidence, 0.91);
  EXPECT_TRUE(m.trace[3].correct);
  EXPECT_FALSE(m.trace[0].correct);
}

TEST_F(ModelLoaderTest, ModelErrors) {
  struct Case {
    std::string from, to, expected;
  };
  const std::vector<Case> cases{
      {"flops = 20\n", "", "model.toml:8: layers.1.flops: expected a number (missing)"},
      {"flops = 20", "flops = \"lots\"", "model.toml:10: layers.1.flops: expected a number"},
      {"flops = 20", "flops = -20", "model.toml:10: layers.1.flops: expected a non-negative number"},
      {"out_bytes = 30\n", "", "layers.1.out_bytes"},
      {"name = \"l1\"", "name = \"l0\"", "model.toml:9: layers.1.name: expected a unique layer name"},
      {"name = \"l1\"", "name = \"l1\"\nkind = \"conv\"", "model.toml:10: layers.1.kind: unknown key"},
      {"name = \"m\"\n", "", "name: expected a string (missing)"},
      {"input_bytes = 100", "input_bytes = -1", "model.toml:2: input_bytes"},
      {"input_bytes = 100", "input_bytes = 100\nlayer = 3", "model.toml:3: layer: unknown key"},
      {"after = \"l0\"", "after = \"zz\"",
       "model.toml:17: exits.0.after: expected the name of a layer of this model (no layer \"zz\")"},
      {"after = \"l0\"", "after = 7", "exits.0.after: expected a layer index in 0..2"},
      {"after = \"l0\"", "after = -1", "exits.0.after: expected a layer index in 0..2"},
      {"after = \"l0\"", "after = \"l2\"", "exits.0.after: expected a layer before the last one"},
      {"after = \"l0\"", "after = 1.5", "exits.0.after: expected a layer name or index"},
      {"after = \"l0\"\n", "", "exits.0.after: expected a layer name or index (missing)"},
      {"accuracy = 0.4", "accuracy = 1.4", "exits.0.accuracy: expected an accuracy in (0, 1]"},
      {"accuracy = 0.4", "accuracy = 0.4\nprobability = 0.2", "exits.0.probability: unknown key"},
      {"[final]\naccuracy = 0.9\n", "", "final: expected a table"},
      {"accuracy = 0.9", "accuracy = 0", "final.accuracy: expected an accuracy in (0, 1]"},
      {"accuracy = 0.9", "accuracy = 0.9\ntop5 = 0.95", "final.top5: unknown key"},
  };
  for (const auto& c : cases) {
    auto message = model_error(replace_all(kModel, c.from, c.to));
    EXPECT_NE(message.find(c.expected), std::string::npos) << c.from << " -> " << c.to << ": " << message;
  }
}

TEST_F(ModelLoaderTest, ExitsMustBeInExecutionOrder) {
  std::string text = std::string(kModel) + "[[exits]]\nafter = 0\nflops = 1\naccuracy = 0.5\n";
  // The [[exits]] appended after [final] still belongs to the top-level exits array.
  auto message = model_error(text);
  EXPECT_NE(message.find("exits.1.after: expected exits in execution order"), std::string::npos) << message;
}

TEST_F(ModelLoaderTest, LayersMustBeTables) {
  auto message = model_error("name = \"m\"\ninput_bytes = 1\nlayers = [1, 2]\n[final]\naccuracy = 0.5\n");
  EXPECT_NE(message.find("model.toml:3: layers: expected an array of tables"), std::string::npos) << message;
  message = model_error("name = \"m\"\ninput_bytes = 1\nlayers = []\n[final]\naccuracy = 0.5\n");
  EXPECT_NE(message.find("layers"), std::string::npos) << message;
}

// `exits = []` (inline or in a file) is a model without intermediate exits, not a type error;
// `layers = []` says what is missing; `exits = [1]` is still refused.
TEST_F(ModelLoaderTest, EmptyExitsArrayMeansNoExits) {
  const std::string no_exits = "name = \"m\"\ninput_bytes = 1\nexits = []\n[[layers]]\nname = \"l0\"\nflops = 1\n"
                               "out_bytes = 1\n[final]\naccuracy = 0.5\n";
  ModelProfile m = edgesim::load_model_file(write("model.toml", no_exits));
  EXPECT_TRUE(m.exits.empty());
  EXPECT_EQ(m.layers.size(), 1U);
  toml::table table = toml::parse(no_exits);
  m = edgesim::load_model_table(table, "scenario.toml", "tenants.0.model", dir_.string());
  EXPECT_TRUE(m.exits.empty());
  auto message = model_error("name = \"m\"\ninput_bytes = 1\nlayers = []\n[final]\naccuracy = 0.5\n");
  EXPECT_NE(message.find("layers: expected at least one layer"), std::string::npos) << message;
  message = model_error(replace_all(no_exits, "exits = []", "exits = [1]"));
  EXPECT_NE(message.find("model.toml:3: exits: expected an array of tables"), std::string::npos) << message;
}

TEST_F(ModelLoaderTest, ConfidenceAndEfficiencyErrors) {
  auto message = model_error(std::string(kModel) + "[confidence]\nsource = \"measured\"\n");
  EXPECT_NE(message.find("confidence.source"), std::string::npos) << message;
  message = model_error(std::string(kModel) + "[confidence]\ndifficulty_correlation = 1\n");
  EXPECT_NE(message.find("confidence.difficulty_correlation"), std::string::npos) << message;
  message = model_error(std::string(kModel) + "[confidence]\nconfidence_noise = 0\n");
  EXPECT_NE(message.find("confidence.confidence_noise"), std::string::npos) << message;
  message = model_error(std::string(kModel) + "[confidence]\nseed = 3\n");
  EXPECT_NE(message.find("confidence.seed: unknown key"), std::string::npos) << message;
  message = model_error(std::string(kModel) + "[efficiency]\nrpi4b = 0\n");
  EXPECT_NE(message.find("efficiency.rpi4b"), std::string::npos) << message;
  message = model_error(std::string(kModel) + "[confidence]\ntrace = \"missing.csv\"\n");
  EXPECT_NE(message.find("missing.csv: cannot open exit trace"), std::string::npos) << message;
}

TEST_F(ModelLoaderTest, SyntaxErrorNamesLine) {
  auto message = error_of([&] { edgesim::load_model_file((kData / "bad" / "model-syntax-error.toml").string()); });
  EXPECT_NE(message.find("model-syntax-error.toml:3:"), std::string::npos) << message;
}

TEST_F(ModelLoaderTest, FixtureErrors) {
  auto message = error_of([&] { edgesim::load_model_file((kData / "bad" / "model-missing-flops.toml").string()); });
  EXPECT_NE(message.find("model-missing-flops.toml:11: layers.1.flops"), std::string::npos) << message;
  message = error_of([&] { edgesim::load_model_file((kData / "bad" / "model-unknown-exit-layer.toml").string()); });
  EXPECT_NE(message.find("model-unknown-exit-layer.toml:30: exits.0.after"), std::string::npos) << message;
  message = error_of([&] { edgesim::load_model_file((kData / "bad" / "model-bad-trace.toml").string()); });
  EXPECT_NE(message.find("exit-trace-missing-exit.csv:5: sample 7"), std::string::npos) << message;
}

// --- exit traces ---------------------------------------------------------------------------------

TEST_F(ModelLoaderTest, ExitTraceGoodFile) {
  auto rows = edgesim::load_exit_trace((kData / "scenarios" / "tiny-exit-trace.csv").string(), 2);
  ASSERT_EQ(rows.size(), 6U);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].sample, i / 3);
    EXPECT_EQ(rows[i].exit, static_cast<int>(i % 3));
  }
  EXPECT_DOUBLE_EQ(rows[0].confidence, 0.40);
  EXPECT_FALSE(rows[0].correct);
  EXPECT_DOUBLE_EQ(rows[5].confidence, 0.95);
  EXPECT_TRUE(rows[5].correct);
}

TEST_F(ModelLoaderTest, ExitTraceAcceptsCrlfAndComments) {
  auto rows = edgesim::load_exit_trace(
      write("t.csv", "# comment\r\n\r\nsample,exit,confidence,correct\r\n3,1,0.5,1\r\n3,0,0.25,0\r\n"), 1);
  ASSERT_EQ(rows.size(), 2U);
  EXPECT_EQ(rows[0].sample, 3U);
  EXPECT_EQ(rows[0].exit, 0);
  EXPECT_DOUBLE_EQ(rows[1].confidence, 0.5);
}

TEST_F(ModelLoaderTest, ExitTraceBadHeader) {
  auto message = error_of([&] { edgesim::load_exit_trace((kData / "bad" / "exit-trace-bad-header.csv").string(), 0); });
  EXPECT_NE(message.find("exit-trace-bad-header.csv:1: expected the header sample,exit,confidence,correct"),
            std::string::npos)
      << message;
  message = trace_error("# only a comment\n0,0,0.5,1\n", 0);
  EXPECT_NE(message.find("trace.csv:2: expected the header"), std::string::npos) << message;
}

TEST_F(ModelLoaderTest, ExitTraceBadField) {
  auto message = error_of([&] { edgesim::load_exit_trace((kData / "bad" / "exit-trace-bad-field.csv").string(), 2); });
  EXPECT_NE(message.find("exit-trace-bad-field.csv:3: expected a confidence (number) but found \"high\""),
            std::string::npos)
      << message;
  const std::string header = "sample,exit,confidence,correct\n";
  message = trace_error(header + "x,0,0.5,1\n", 0);
  EXPECT_NE(message.find("trace.csv:2: expected a sample id"), std::string::npos) << message;
  message = trace_error(header + "-1,0,0.5,1\n", 0);
  EXPECT_NE(message.find("trace.csv:2: expected a sample id"), std::string::npos) << message;
  message = trace_error(header + "0,first,0.5,1\n", 0);
  EXPECT_NE(message.find("trace.csv:2: expected an exit index"), std::string::npos) << message;
  message = trace_error(header + "0,0,0.5,yes\n", 0);
  EXPECT_NE(message.find("trace.csv:2: expected correct as 0 or 1"), std::string::npos) << message;
  message = trace_error(header + "0,0,0.5,2\n", 0);
  EXPECT_NE(message.find("trace.csv:2: correct must be 0 or 1"), std::string::npos) << message;
  message = trace_error(header + "0,0,1.5,1\n", 0);
  EXPECT_NE(message.find("trace.csv:2: confidence must be in [0, 1]"), std::string::npos) << message;
  message = trace_error(header + "0,3,0.5,1\n", 2);
  EXPECT_NE(message.find("trace.csv:2: exit 3 out of range 0..2"), std::string::npos) << message;
  message = trace_error(header + "0,0,0.5\n", 0);
  EXPECT_NE(message.find("trace.csv:2: expected 4 comma-separated fields"), std::string::npos) << message;
  message = trace_error(header + "0,0,0.5,1,extra\n", 0);
  EXPECT_NE(message.find("trace.csv:2: expected 4 comma-separated fields"), std::string::npos) << message;
}

TEST_F(ModelLoaderTest, ExitTraceSampleMissingAnExit) {
  auto message =
      error_of([&] { edgesim::load_exit_trace((kData / "bad" / "exit-trace-missing-exit.csv").string(), 2); });
  EXPECT_NE(message.find("exit-trace-missing-exit.csv:5: sample 7 must have exactly one row for each exit 0..2 "
                         "(no row for exit 1)"),
            std::string::npos)
      << message;
  // A short sample followed by a complete one: the short one is named.
  const std::string header = "sample,exit,confidence,correct\n";
  message = trace_error(header + "0,0,0.1,0\n0,1,0.2,0\n1,0,0.1,0\n1,1,0.2,0\n1,2,0.3,1\n", 2);
  EXPECT_NE(message.find("trace.csv:2: sample 0"), std::string::npos) << message;
  EXPECT_NE(message.find("no row for exit 2"), std::string::npos) << message;
  message = trace_error(header + "4,0,0.1,0\n4,0,0.2,0\n4,1,0.3,1\n", 1);
  EXPECT_NE(message.find("sample 4"), std::string::npos) << message;
  EXPECT_NE(message.find("several rows for exit 0"), std::string::npos) << message;
}

TEST_F(ModelLoaderTest, ExitTraceEmptyOrMissing) {
  auto message = trace_error("sample,exit,confidence,correct\n", 0);
  EXPECT_NE(message.find("no rows"), std::string::npos) << message;
  message = error_of([&] { edgesim::load_exit_trace((dir_ / "nope.csv").string(), 0); });
  EXPECT_NE(message.find("nope.csv: cannot open exit trace"), std::string::npos) << message;
}

} // namespace
