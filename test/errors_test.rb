# frozen_string_literal: true

require_relative "test_helper"

class ErrorsTest < Minitest::Test
  def test_the_class_tree
    assert_operator Kobako::Error, :<, StandardError
    assert_operator Kobako::TrapError, :<, Kobako::Error
    assert_operator Kobako::TimeoutError, :<, Kobako::TrapError
    assert_operator Kobako::MemoryLimitError, :<, Kobako::TrapError
    assert_operator Kobako::SandboxError, :<, Kobako::Error
    assert_operator Kobako::BytecodeError, :<, Kobako::SandboxError
    assert_operator Kobako::HandleTableError, :<, Kobako::SandboxError
    assert_operator Kobako::HandleTableExhausted, :<, Kobako::HandleTableError
    assert_operator Kobako::ServiceError, :<, Kobako::Error
    assert_operator Kobako::ServiceError::Disconnected, :<, Kobako::ServiceError
  end

  def test_guest_failures_carry_their_fields
    error = Kobako::ServiceError.new("boom", klass: "KeyError", backtrace_lines: ["a:1"], details: { "k" => 1 })
    assert_equal "boom", error.message
    assert_equal "service", error.origin
    assert_equal "KeyError", error.klass
    assert_equal ["a:1"], error.backtrace_lines
    assert_equal({ "k" => 1 }, error.details)
    assert_equal "sandbox", Kobako::SandboxError.new("x").origin
  end

  def test_version
    assert_match(/\A\d+\.\d+\.\d+\z/, Kobako::VERSION)
  end
end
