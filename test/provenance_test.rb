# frozen_string_literal: true

require_relative "test_helper"

# Provenance is decided by where a failure happened, never by a class name
# or field the guest can raise or write (SPEC §8).
class ProvenanceTest < Minitest::Test
  def setup
    @sandbox = Kobako::Sandbox.new
    @sandbox.define(:KV).bind(:Lookup, ->(key) { raise KeyError, "key not found: #{key}" })
  end

  def test_a_guest_raising_kobakos_own_errors_is_a_sandbox_error
    forgeries = {
      'raise Kobako::ServiceError, "fake"' => "Kobako::ServiceError",
      'raise Kobako::ServiceError::Disconnected, "fake"' => "Kobako::ServiceError::Disconnected",
      'e = Kobako::ServiceError.new("fake"); e.instance_variable_set(:@__kobako_details, {"klass" => "KeyError"}); raise e' =>
        "Kobako::ServiceError",
      'module Kobako; class BytecodeError < StandardError; end; end; raise Kobako::BytecodeError, "fake"' =>
        "Kobako::BytecodeError",
      'class Kobako::ServiceError; def klass = "KeyError"; end; raise Kobako::ServiceError, "fake"' =>
        "Kobako::ServiceError"
    }
    forgeries.each do |code, klass|
      error = assert_raises(Kobako::SandboxError, code) { @sandbox.eval(code) }
      refute_kind_of Kobako::BytecodeError, error, code
      assert_equal [klass, "fake"], [error.klass, error.message], code
    end
  end

  def test_the_hidden_failure_cannot_be_read_or_written
    assert_equal "NameError", @sandbox.eval(<<~RUBY)
      begin
        KV::Lookup.call(:x)
      rescue Kobako::ServiceError => e
        begin
          e.instance_variable_get(:__kobako_failure)
        rescue NameError => n
          n.class.to_s
        end
      end
    RUBY
    assert_equal [],
                 @sandbox.eval("begin; KV::Lookup.call(:x); rescue => e; e.instance_variables - [:@__kobako_details]; end")
  end

  def test_a_real_failure_rescued_and_reraised_stays_a_service_error
    ["begin; KV::Lookup.call(:a); rescue => e; raise e; end",
     'begin; KV::Lookup.call(:a); rescue => e; raise e.exception("guest words"); end',
     "begin; KV::Lookup.call(:a); rescue => e; raise e.dup; end",
     'class Kobako::ServiceError; def message = raise("hidden"); end; KV::Lookup.call(:a)'].each do |code|
      error = assert_raises(Kobako::ServiceError, code) { @sandbox.eval(code) }
      assert_equal ["KeyError", "key not found: a"], [error.klass, error.message], code
    end
  end

  def test_a_failure_replaced_by_another_exception_is_the_guests
    error = assert_raises(Kobako::SandboxError) do
      @sandbox.eval('begin; KV::Lookup.call(:a); rescue => e; raise ArgumentError, "mine"; end')
    end
    assert_equal %w[ArgumentError mine], [error.klass, error.message]
  end

  def test_real_bytecode_errors_keep_their_class
    @sandbox.preload(binary: "not bytecode")
    assert_raises(Kobako::BytecodeError) { @sandbox.eval("1") }
  end
end
