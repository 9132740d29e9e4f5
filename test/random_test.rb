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

  # Each of +codes+, evaluated three times, gave three different answers.
  def assert_draws_anew(*codes)
    codes.each do |code|
      answers = Array.new(3) { @sandbox.eval(code) }
      assert_equal 3, answers.uniq.size, "#{code} repeated: #{answers.inspect}"
    end
  end

  def test_rand_draws_anew_in_every_invocation
    assert_draws_anew("Array.new(4) { rand(1 << 30) }", "[rand, Random.rand, Kernel.rand(1.0)]")
  end

  def test_shuffle_sample_and_random_bytes_draw_anew_in_every_invocation
    assert_draws_anew("(1..30).to_a.shuffle", "(1..1000).to_a.sample(4)", "Random.bytes(12)")
  end

  def test_unseeded_random_objects_and_srand_draw_anew
    assert_draws_anew("Random.new.rand(1 << 30)", "srand; rand(1 << 30)")
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
