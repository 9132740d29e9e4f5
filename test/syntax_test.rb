# frozen_string_literal: true

require_relative "test_helper"

# Syntax the host's CRuby 3.1 cannot answer for (compat_test.rb compares
# with it): Ruby 3.4's `it`, and case/in where the guest's answer is its own.
class SyntaxTest < Minitest::Test
  def setup
    @sandbox = Kobako::Sandbox.new
  end

  def test_it_is_a_blocks_first_parameter
    assert_equal [2, 4, 6], @sandbox.eval("[1, 2, 3].map { it * 2 }")
    assert_equal [2, 3], @sandbox.eval("[1, 2, 3].select { it > 1 }")
    assert_equal %w[A B], @sandbox.eval("%w[a b].map { it.upcase }")
    assert_equal [[1, 10]], @sandbox.eval("[1].map { |x| [x, [10].map { it }.first] }")
    assert_equal [1, nil], @sandbox.eval("[1, 2].map { it if it.odd? }")
    assert_equal %w[odd even], @sandbox.eval("[1, 2].map { it.odd? ? 'odd' : 'even' }")
  end

  def test_it_in_lambdas_nested_blocks_and_find_patterns
    assert_equal 6, @sandbox.eval("-> { it * 2 }.call(3)")
    assert_equal 8, @sandbox.eval("-> { _1 * 2 }.call(4)")
    assert_equal [[[3], 1]], @sandbox.eval("[1].map { x = [3].map { it }; [x, it] }")
    assert_equal [true], @sandbox.eval("[2].map { [1, 2, 3] in [*, ^(it), *] }")
  end

  def test_it_stays_a_name_where_it_reads_as_one
    assert_equal 5, @sandbox.eval("it = 5; it")
    assert_equal "called x", @sandbox.eval("def it(a) = \"called \#{a}\"; [1].map { it 'x' }.first")
    assert @sandbox.eval("begin; it; false; rescue NameError; true; end"), "a bare it outside a block is a name"
    assert_equal [10, 20], @sandbox.eval("[1, 2].map { |it| it * 10 }")
    assert_equal 2, @sandbox.eval("->(it) { it + 1 }.call(1)")
    assert_equal [1], @sandbox.eval("def it = 1; [5].map { |a| it }")
    assert_equal ["block 5"], @sandbox.eval("def it(&b) = \"block \#{b.call}\"; [1].map { it { 5 } }")
    assert_equal ["block 6"], @sandbox.eval("def it(&b) = \"block \#{b.call}\"; [1].map { it do 6 end }")
  end

  def test_a_case_without_a_matching_clause_raises_no_matching_pattern_error
    assert_equal %w[NoMatchingPatternError 42 StandardError],
                 @sandbox.eval("begin; case 42; in String; end; rescue => e; [e.class.to_s, e.message, e.class.superclass.to_s]; end")
  end

  def test_deconstruct_must_return_an_array
    assert_equal "TypeError",
                 @sandbox.eval("class D; def deconstruct = 1; end; begin; case D.new; in [x]; end; rescue => e; e.class.to_s; end")
  end

  def test_hostile_patterns_end_as_guest_errors_and_the_sandbox_stays_usable
    hostile = {
      "case 1; in #{'[' * 20_000}x#{']' * 20_000}; end" => Kobako::SandboxError,
      "case [1]; in #{'[*, ' * 3000}x#{', *]' * 3000}; end" => Kobako::MemoryLimitError,
      "module Kobako::Pattern; def self.array(*) = raise('replaced'); end; case [1]; in [x] then x; end" =>
        Kobako::SandboxError
    }
    hostile.each do |source, error|
      assert_raises(error) { @sandbox.eval(source) }
      assert_equal [1], @sandbox.eval("case [1]; in [x] then [x]; end"), "the next invocation starts fresh"
    end
  end

  def test_hidden_locals_stay_hidden
    assert_equal %w[a v], @sandbox.eval("v = [1]; case v; in [a]; end; local_variables.map(&:to_s).sort")
  end
end
