# frozen_string_literal: true

# Timing helpers shared by benchmark/warm and benchmark/probe.rb.
#
# Figures are the best of several batches: on a shared machine a batch is
# now and then interrupted (another process, a page fault, Ruby's GC), and
# the best batch is what the code itself costs. One interruption then
# spoils a batch, not the figure.
module Timing
  BATCHES = 5

  module_function

  def now = Process.clock_gettime(Process::CLOCK_MONOTONIC)

  # µs per call of the block: the best average over BATCHES batches that
  # share +times+ calls, after one warm-up call.
  def each_us(times, &)
    yield
    per_batch = [times / BATCHES, 1].max
    Array.new(BATCHES) do
      started = now
      per_batch.times(&)
      (now - started) / per_batch * 1e6
    end.min
  end

  # µs per iteration of +body+ inside one eval, net of the empty loop: the
  # best of BATCHES evals each way.
  def in_guest_us(sandbox, body, iterations = 100_000)
    loop_of = ->(code) { "i = 0; while i < #{iterations}; i += 1; #{code}; end" }
    with = each_us(BATCHES) { sandbox.eval(loop_of.call(body)) }
    without = each_us(BATCHES) { sandbox.eval(loop_of.call("nil")) }
    (with - without) / iterations
  end
end
