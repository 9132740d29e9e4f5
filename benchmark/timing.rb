# frozen_string_literal: true

# Timing helpers shared by benchmark/warm and benchmark/probe.rb.
module Timing
  module_function

  def now = Process.clock_gettime(Process::CLOCK_MONOTONIC)

  # Average µs per call of the block, after one warm-up call.
  def each_us(times, &)
    yield
    started = now
    times.times(&)
    (now - started) / times * 1e6
  end

  # µs per iteration of +body+ inside one eval, net of the empty loop.
  def in_guest_us(sandbox, body, iterations = 100_000)
    loop_of = ->(code) { "i = 0; while i < #{iterations}; i += 1; #{code}; end" }
    with = each_us(3) { sandbox.eval(loop_of.call(body)) }
    without = each_us(3) { sandbox.eval(loop_of.call("nil")) }
    (with - without) / iterations
  end
end
