# frozen_string_literal: true

require_relative "../test_helper"

# Host memory does not grow with traps (SPEC §6, §10).
class MemoryTest < Minitest::Test
  def rss_kb = File.read("/proc/self/status")[/^VmRSS:\s+(\d+)/, 1].to_i

  def test_a_thousand_traps_on_one_sandbox_keep_host_memory_flat
    sandbox = Kobako::Sandbox.new(memory_limit: 256 << 10)
    trap = proc { assert_raises(Kobako::MemoryLimitError) { sandbox.eval('"x" * 2_000_000') } }
    50.times(&trap)
    GC.start
    before = rss_kb
    1000.times(&trap)
    GC.start
    grown_mb = (rss_kb - before) / 1024.0
    assert_operator grown_mb, :<=, 16, "1,000 traps grew RSS by #{grown_mb.round(1)} MB"
    assert_equal 2, sandbox.eval("1 + 1")
  end
end
