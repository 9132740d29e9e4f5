# frozen_string_literal: true

require_relative "test_helper"
require "json"

# The libraries the guest provides, where their answers cannot be compared
# with CRuby's one value at a time (compat_test.rb does that): hostile
# inputs end as the guest's own errors, bounded by the caps.
class GuestLibrariesTest < Minitest::Test
  def setup
    @sandbox = Kobako::Sandbox.new
  end

  def test_json_nested_past_any_limit_is_a_nesting_error_not_a_crash
    assert_equal "JSON::NestingError",
                 @sandbox.eval("JSON.parse('[' * 100_000 + ']' * 100_000) rescue $!.class.to_s")
    assert_equal "JSON::NestingError", @sandbox.eval("a = []; 200.times { a = [a] }; JSON.generate(a) rescue $!.class.to_s")
    assert_equal "JSON::NestingError", @sandbox.eval("h = {}; h[:h] = h; JSON.generate(h) rescue $!.class.to_s")
  end

  def test_json_refuses_text_that_is_not_utf8
    assert_equal "JSON::ParserError", @sandbox.eval(%q(JSON.parse("[\"\xff\"]".b) rescue $!.class.to_s))
  end

  def test_json_generate_refuses_a_string_that_is_not_utf8
    assert_equal "JSON::GeneratorError", @sandbox.eval(%q(JSON.generate(["\xff".b]) rescue $!.class.to_s))
  end

  def test_a_huge_json_document_stops_at_the_memory_limit
    # 1.5 MB of text that parses into 500,000 Arrays.
    sandbox = Kobako::Sandbox.new(memory_limit: 8 << 20)
    assert_raises(Kobako::MemoryLimitError) { sandbox.eval("JSON.parse('[' + '[],' * 500_000 + '[]]')") }
    assert_equal 1, sandbox.eval("JSON.parse('[1]')[0]"), "usable afterwards"
  end

  def test_json_round_trips_what_crosses_the_boundary
    value = { "name" => "kobako", "list" => [1, 2.5, nil, true, "é"], "nested" => { "k" => [] } }
    assert_equal value, @sandbox.eval("JSON.parse(#{value.to_json.inspect})")
  end

  # mruby 3.2 kept writing through a stale stack pointer when a Ruby
  # method_added grew the VM stack (guest/patches/0013).
  def test_a_method_added_hook_that_grows_the_stack_leaves_def_intact
    code = <<~'RUBY'
      def deep(n) = n.zero? ? 0 : 1 + deep(n - 1)
      class Module
        def method_added(_name) = deep(150)
      end
      results = 20.times.map { |i| eval("def m#{i} = #{i}") }
      [results.first, results.last, m19]
    RUBY
    assert_equal [:m0, :m19, 19], Kobako::Sandbox.new.eval(code)
  end

  def test_time_now_comes_from_the_host_clock
    guest = @sandbox.eval("Time.now.to_f")
    assert_in_delta Time.now.to_f, guest, 5
  end
end
