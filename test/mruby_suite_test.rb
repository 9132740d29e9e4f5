# frozen_string_literal: true

require_relative "test_helper"
require "json"
require "open3"

# mruby's own core test suite (test/t/*.rb of the mruby 3.2.0 sources the
# guest is built from) runs inside the guest, with our patches (soft raise,
# floats) and Ruby additions in place: each file with mruby's assert.rb in
# a fresh sandbox. Every failure must be a known one, listed with its reason.
class MrubySuiteTest < Minitest::Test
  ROOT = File.expand_path("..", __dir__)

  # What mrbtest's C driver provides and the guest has not.
  PRELUDE = <<~'RUBY'
    def t_print(*args) = print(*args)
    def _str_match?(pattern, str)
      Regexp.new("\\A#{pattern.split('*', -1).map { |part| Regexp.escape(part) }.join('.*')}\\z", Regexp::MULTILINE)
            .match?(str)
    end
    module Mrbtest
      FLOAT_TOLERANCE = 1e-5
    end
  RUBY

  # Files that need the C part of mrbtest's driver.
  NEEDS_C_DRIVER = %w[vformat.rb].freeze

  # mruby 3.2 ignores private; the guest enforces it (patch 0017), and these
  # tests call initialize or initialize_copy with a receiver, which CRuby
  # refuses too.
  PRIVATE_CALL = "the test calls a private method with a receiver (CRuby refuses it too; patch 0017)"

  KNOWN_FAILURES = {
    "array.rb" => { "Array#initialize" => PRIVATE_CALL, "Array#initialize_copy" => PRIVATE_CALL },
    "exception.rb" => { "Exception.exception" => PRIVATE_CALL },
    "string.rb" => { "String#initialize" => PRIVATE_CALL, "String#initialize_copy" => PRIVATE_CALL },
    "codegen.rb" => { "register window of calls (#3783)" => "a method_missing corner of mruby's VM" },
    "kernel.rb" => {
      "Kernel#method_missing" => "the test expects mruby's wording; the guest words it as CRuby 3.1 (patch 0009)"
    },
    "integer.rb" => { "Integer#quo" => "the test itself compares 6.quo(5) with 5/6r" },
    "range.rb" => {
      "Range#last" => "mruby-range-ext raises for an endless range (as CRuby does); the core test expects nil",
      "Range#hash" => "the same Range#last on an endless range"
    },
    "syntax.rb" => {
      "__FILE__" => "each file runs as (eval), after assert.rb",
      "__LINE__" => "each file runs as (eval), after assert.rb"
    }
  }.freeze

  def self.mruby_test_dir
    @mruby_test_dir ||= begin
      manifest = File.join(ROOT, "guest/sources/Cargo.toml")
      system("cargo", "fetch", "--locked", "--manifest-path", manifest, out: File::NULL, exception: true)
      meta, = Open3.capture2("cargo", "metadata", "--locked", "--format-version", "1", "--manifest-path", manifest)
      package = JSON.parse(meta)["packages"].find { |p| p["name"] == "mruby3-sys" }
      File.join(File.dirname(package["manifest_path"]), "mruby/test")
    end
  end

  # A heap corruption in mruby 3.2 itself, not in our patches: running all of
  # module.rb in one guest can trap in mrb_vm_find_method, under
  # define_method in a singleton class's class_eval inside Module.new, for
  # some heap layouts only (with the artifact of commit 641b351 too, in 11
  # of 60 layouts shifted by a prelude). The Wasm sandbox turns it into a
  # TrapError; the host is unaffected. Until it is found, such a file's
  # assertions are checked one `assert` block per guest.
  KNOWN_TRAPS = {
    "module.rb" => "mruby 3.2 heap corruption under define_method in a singleton class_eval (not yet found)"
  }.freeze

  def run_file(path)
    evaluate(File.read(path))
  rescue Kobako::TrapError
    raise unless KNOWN_TRAPS.key?(File.basename(path))

    run_by_block(File.read(path))
  end

  def run_by_block(source)
    head, *blocks = source.split(/^(?=assert\()/)
    blocks.map { |block| evaluate("#{head}\n#{block}") }
          .reduce { |(ok, reports), (more_ok, more)| [ok + more_ok, reports + more] }
  end

  def evaluate(test_source)
    sandbox = Kobako::Sandbox.new(timeout: 60, memory_limit: nil)
    source = [File.read(File.join(self.class.mruby_test_dir, "assert.rb")), PRELUDE, test_source,
              "[$ok_test, $asserts.map(&:to_s)]"].join("\n")
    sandbox.eval(source)
  end

  def test_the_core_suite_passes_in_the_guest_but_for_known_failures
    files = Dir[File.join(self.class.mruby_test_dir, "t/*.rb")]
    refute_empty files
    passed = 0
    unexpected = []
    files.each do |path|
      name = File.basename(path)
      next if NEEDS_C_DRIVER.include?(name)

      ok, reports = run_file(path)
      passed += ok
      known = KNOWN_FAILURES.fetch(name, {})
      reports.reject { |report| report.start_with?("Skip: ", "Warn: ") }.each do |report|
        title = report[/\A[^:]+: (.+?)(?: \[[\d.]+\])?(?: =>|$)/, 1]
        unexpected << "#{name}: #{report.lines.first(3).join.strip}" unless known.key?(title)
      end
    end
    assert_empty unexpected
    assert_operator passed, :>=, 660, "mruby's core tests that pass in the guest"
  end
end
