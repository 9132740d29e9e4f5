# frozen_string_literal: true

require_relative "../test_helper"

# Each sandbox that has run holds a Wasm instance whose memory is a virtual
# address reservation; a process must be able to keep many of them.
class ManySandboxesTest < Minitest::Test
  def test_a_thousand_live_sandboxes
    sandboxes = Array.new(1000) { |i| Kobako::Sandbox.new.tap { |s| assert_equal i, s.eval(i.to_s) } }
    sandboxes.each_slice(100) { |slice| assert_equal 7, slice.last.eval("3 + 4") }
  end

  def test_idle_sandboxes_cost_no_instance
    sandboxes = Array.new(10_000) { Kobako::Sandbox.new }
    assert_equal 10_000, sandboxes.size
    assert_equal 2, sandboxes.last.eval("1 + 1")
  end
end
