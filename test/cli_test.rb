# frozen_string_literal: true

require_relative "test_helper"
require "json"
require "open3"
require "rbconfig"
require "tmpdir"

# The `kobako` command (exe/kobako), run as a user would.
class CLITest < Minitest::Test
  EXE = File.expand_path("../exe/kobako", __dir__)

  def kobako(*args, stdin: "")
    out, err, status = Open3.capture3(RbConfig.ruby, EXE, *args, stdin_data: stdin)
    [out, err, status.exitstatus]
  end

  def test_code_file_and_stdin
    assert_equal ["3\n=> nil\n", "", 0], kobako("-e", "puts 1 + 2")
    Dir.mktmpdir do |dir|
      File.write(File.join(dir, "s.rb"), "[1, 2].sum")
      assert_equal ["=> 3\n", "", 0], kobako(File.join(dir, "s.rb"))
    end
    assert_equal ["=> 7\n", "", 0], kobako("-", stdin: "3 + 4")
  end

  def test_json_reports_value_output_and_error
    out, _, status = kobako("--json", "-e", 'puts "hi"; warn "w"; {a: [1, :b, 2.5]}')
    assert_equal 0, status
    assert_equal({ "value" => { "a" => [1, "b", 2.5] }, "inspect" => "{:a=>[1, :b, 2.5]}", "stdout" => "hi\n",
                   "stderr" => "w\n", "error" => nil }, JSON.parse(out))
    out, _, status = kobako("--json", "--timeout", "0.05", "-e", "loop {}")
    assert_equal 4, status
    error = JSON.parse(out)["error"]
    assert_equal ["Kobako::TimeoutError", "timeout"], error.values_at("class", "cap")
  end

  def test_exit_status_by_error_class
    assert_equal 1, kobako("-e", 'raise "boom"')[2]
    assert_equal 2, kobako("--no-such-option")[2]
    assert_equal 2, kobako("no/such/file.rb")[2]
    assert_equal 4, kobako("--fuel", "1000", "-e", "loop {}")[2]
    assert_equal 5, kobako("--memory-limit", "64K", "-e", '"x" * 1_000_000')[2]
    _, err, = kobako("-e", 'raise ArgumentError, "bad"')
    assert_match(/Kobako::SandboxError: \(ArgumentError\) bad/, err)
  end

  def test_caps_and_sizes
    out, = kobako("--stdout-limit", "5", "-e", 'print "hello world"')
    assert_equal "hello=> nil\n", out
    assert_equal 2, kobako("--memory-limit", "lots", "-e", "1")[2]
    assert_equal 0, kobako("--timeout", "none", "--memory-limit", "none", "-e", "1")[2]
  end

  def test_compile_then_preload
    Dir.mktmpdir do |dir|
      source = File.join(dir, "triple.rb")
      File.write(source, "Triple = ->(x) { x * 3 }")
      assert_equal 0, kobako("compile", source, "-o", File.join(dir, "triple.mrb"))[2]
      sandbox = Kobako::Sandbox.new.preload(binary: File.binread(File.join(dir, "triple.mrb")))
      assert_equal 21, sandbox.run(:Triple, 7)
      File.write(File.join(dir, "bad.rb"), "def (")
      _, err, status = kobako("compile", File.join(dir, "bad.rb"), "-o", File.join(dir, "bad.mrb"))
      assert_equal [1, true], [status, err.include?("SyntaxError")]
    end
  end

  def test_version_and_help
    out, _, status = kobako("--version")
    assert_equal 0, status
    assert_match(/\Akobako #{Regexp.escape(Kobako::VERSION)} \(mruby 3\.2\.0, Wasmer 7\.4\.2, artifact \S+ blake3 \h{16}\)$/, out)
    out, = kobako("--help")
    %w[-e --timeout --memory-limit --fuel --json compile --version].each { |flag| assert_includes out, flag }
    assert_includes out, "exit status"
  end
end
