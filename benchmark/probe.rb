# frozen_string_literal: true

# One column's measurements for benchmark/compare, in this process: the
# kobako it finds on RUBYLIB, with the artifacts of KOBAKO_ARTIFACTS_DIR.
#
#   ruby benchmark/probe.rb cold       # require + first Sandbox + eval("nil"), RSS
#   ruby benchmark/probe.rb warm SCALE # every warm row (SCALE 1 = full counts)
#
# Prints one JSON object: row name => number (see ROWS in benchmark/compare
# for units).

require "json"

require_relative "timing"
include Timing # rubocop:disable Style/MixinUsage

def rss_kb = File.read("/proc/self/status")[/^VmRSS:\s+(\d+)/, 1].to_i

if ARGV[0] == "cold"
  started = now
  require "kobako"
  sandbox = Kobako::Sandbox.new
  sandbox.eval("nil")
  cold_ms = (now - started) * 1e3
  puts JSON.generate("cold start" => cold_ms, "RSS after the first sandbox" => rss_kb / 1024.0)
  exit
end

require "kobako"
SCALE = Float(ARGV.fetch(1, "1"))

def count(full) = [(full * SCALE).round, 1].max

# µs per iteration of +body+ inside one eval, net of the empty loop (never
# below zero: noise can make the loop with the body the faster one).
def net_in_guest_us(sandbox, body, iterations)
  [Timing.in_guest_us(sandbox, body, iterations), 0.0].max
end

def median_ms(times)
  samples = Array.new(times) do
    started = now
    yield
    (now - started) * 1e3
  end
  samples.sort[samples.size / 2]
end

XOR = "x = 0; i = 0; while i < 100_000; x ^= i; i += 1; end; x"
FIB = "def fib(n) = n < 2 ? n : fib(n - 1) + fib(n - 2); fib(25)"

# Evals per second of N threads, each on its own sandbox: the best of
# five windows of about +seconds+ (a window the machine slowed down is
# dropped, not averaged in).
def throughput(threads, seconds)
  sandboxes = Array.new(threads) { Kobako::Sandbox.new(timeout: nil) }
  code = "x = 0; i = 0; while i < 10_000; x ^= i; i += 1; end; x"
  sandboxes.each { |s| s.eval(code) }
  Array.new(5) { evals_per_second(sandboxes, code, seconds) }.max
end

def evals_per_second(sandboxes, code, seconds)
  deadline = now + seconds
  started = now
  done = sandboxes.map do |sandbox|
    Thread.new do
      n = 0
      while now < deadline
        sandbox.eval(code)
        n += 1
      end
      n
    end
  end.sum(&:value)
  done / (now - started)
end

# KB of RSS per idle sandbox: +times+ sandboxes made, used once and kept.
def idle_kb(times)
  Kobako::Sandbox.new.eval("nil")
  GC.start
  before = rss_kb
  kept = Array.new(times) { Kobako::Sandbox.new.tap { |s| s.eval("nil") } }
  GC.start
  [(rss_kb - before).to_f / kept.size, 0.0].max
end

plain = Kobako::Sandbox.new
sandbox = Kobako::Sandbox.new(timeout: nil, memory_limit: nil)
sandbox.preload(code: "Entrypoint = -> { nil }", name: :Entrypoint)
served = Kobako::Sandbox.new(timeout: nil)
served.define(:Math2).bind(:Twice, ->(x) { x * 2 })
raise "wrong XOR" unless sandbox.eval(XOR).zero?
raise "wrong fib" unless sandbox.eval(FIB) == 75_025

rows = {
  # The µs rows take milliseconds even at full count: --quick keeps them
  # whole, so that CI's check judges them as steadily as a full run.
  "later Sandbox.new" => each_us(20_000) { Kobako::Sandbox.new },
  'eval("nil"), reused' => each_us(2_000) { plain.eval("nil") },
  "run(:Entrypoint), warm" => each_us(2_000) { sandbox.run(:Entrypoint) },
  "one service call" => net_in_guest_us(served, "Math2::Twice.call(i)", 1_000),
  "XOR loop, 100,000 iterations" => median_ms(count(7)) { sandbox.eval(XOR) },
  "fib(25)" => median_ms(count(5)) { sandbox.eval(FIB) },
  "raise/rescue, Ruby-level" => net_in_guest_us(sandbox, "begin; raise 'x'; rescue; end", 1_000),
  "raise/rescue, C-level" => net_in_guest_us(sandbox, "Integer('z') rescue nil", 1_000),
  "Regexp =~" => net_in_guest_us(sandbox, '"hello world" =~ /wor/', 1_000),
  "each idle sandbox" => idle_kb(count(10_000)),
  "1 thread" => throughput(1, 0.1 * (SCALE**0.5)),
  "2 threads" => throughput(2, 0.1 * (SCALE**0.5))
}
puts JSON.generate(rows)
