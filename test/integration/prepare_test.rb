# frozen_string_literal: true

require_relative "../test_helper"
require "open3"
require "rbconfig"

# `require "kobako"` starts loading the artifact on a background thread
# (ext/kobako/src/artifact.rs); the first Sandbox waits for it. A child
# forked while that thread runs has no such thread and loads on its own.
class PrepareTest < Minitest::Test
  LIB = File.expand_path("../../lib", __dir__)

  def ruby(script, env = {})
    Open3.capture2e(env, RbConfig.ruby, "-I#{LIB}", "-e", script)
  end

  def test_a_child_forked_right_after_require_runs_sandboxes
    out, status = ruby(<<~RUBY)
      require "kobako"
      pids = 3.times.map { fork { exit!(Kobako::Sandbox.new.eval("20 + 22") == 42 ? 0 : 1) } }
      codes = pids.map { |pid| Process.wait2(pid).last.exitstatus }
      print codes.inspect, " ", Kobako::Sandbox.new.eval("1 + 1")
    RUBY
    assert status.success?, out
    assert_equal "[0, 0, 0] 2", out
  end

  def test_without_preparing_the_first_sandbox_loads_the_artifact
    out, status = ruby('require "kobako"; print Kobako::Sandbox.new.eval("6 * 7")', "KOBAKO_PREPARE" => "0")
    assert status.success?, out
    assert_equal "42", out
  end

  def test_a_broken_artifacts_dir_fails_at_the_first_sandbox_not_at_require
    out, status = ruby(<<~RUBY, "KOBAKO_ARTIFACTS_DIR" => "/nonexistent/kobako")
      require "kobako"
      print "required "
      begin
        Kobako::Sandbox.new
      rescue Kobako::ArtifactError => e
        print e.class
      end
    RUBY
    assert status.success?, out
    assert_equal "required Kobako::ArtifactError", out
  end
end
