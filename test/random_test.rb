# frozen_string_literal: true

require_relative "test_helper"

# Random numbers in the guest. The interpreter is booted once (into the
# artifact, at build time) and memory is restored after every invocation,
# so a seed kept from the boot would replay the same numbers in every eval
# of every process; CRuby draws fresh ones in every run, and so must each
# invocation. A seed given explicitly still repeats.
class RandomTest < Minitest::Test
  def setup
    @sandbox = Kobako::Sandbox.new
  end

  def draws(code, times: 3)
    Array.new(times) { @sandbox.eval(code) }
  end

  def test_rand_draws_anew_in_every_invocation
    assert_equal 3, draws("Array.new(4) { rand(1 << 30) }").uniq.size
    assert_equal 3, draws("[rand, Random.rand, Kernel.rand(1.0)]").uniq.size
  end

  def test_shuffle_sample_and_random_bytes_draw_anew_in_every_invocation
    assert_equal 3, draws("(1..30).to_a.shuffle").uniq.size
    assert_equal 3, draws("(1..1000).to_a.sample(4)").uniq.size
    assert_equal 3, draws("Random.bytes(12)").uniq.size
  end

  def test_unseeded_random_objects_and_srand_draw_anew
    assert_equal 3, draws("Random.new.rand(1 << 30)").uniq.size
    assert_equal 3, draws("srand; rand(1 << 30)").uniq.size
  end

  def test_separate_sandboxes_draw_differently
    code = "Array.new(4) { rand(1 << 30) }"
    refute_equal @sandbox.eval(code), Kobako::Sandbox.new.eval(code)
  end

  def test_an_explicit_seed_repeats
    code = "srand(42); [rand(1000), (1..10).to_a.shuffle, Random.new(7).rand(1000), Random.new(7).bytes(4)]"
    first = @sandbox.eval(code)
    assert_equal first, @sandbox.eval(code)
    assert_equal first, Kobako::Sandbox.new.eval(code)
  end
end
