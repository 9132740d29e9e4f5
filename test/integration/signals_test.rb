# frozen_string_literal: true

require_relative "../test_helper"
require "open3"
require "rbconfig"

# A signal stops a guest with no timeout, also after another Ruby thread
# came and went (Ruby then calls nobody's unblock function for it).
class SignalsTest < Minitest::Test
  LIB = File.expand_path("../../lib", __dir__)

  def interrupted?(setup)
    script = <<~RUBY
      require "kobako"
      sandbox = Kobako::Sandbox.new(timeout: nil)
      #{setup}
      $stdout.puts "ready"
      $stdout.flush
      begin
        sandbox.eval("loop {}")
      rescue Interrupt
        puts "interrupted"
      end
    RUBY
    Open3.popen2(RbConfig.ruby, "-I#{LIB}", "-e", script) do |_stdin, out, waiter|
      assert_equal "ready\n", out.gets
      sleep 0.3
      Process.kill(:INT, waiter.pid)
      finished = waiter.join(5)
      Process.kill(:KILL, waiter.pid) unless finished
      finished && out.read == "interrupted\n"
    end
  end

  def test_sigint_stops_a_guest_loop
    assert interrupted?("")
  end

  def test_sigint_stops_a_guest_loop_after_another_thread_ended
    assert interrupted?("Thread.new { sleep 0.1 }")
  end
end
