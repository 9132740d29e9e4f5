# frozen_string_literal: true

require "json"
require "optparse"
require_relative "cli/report"

module Kobako
  # The `kobako` command: runs a script in a sandbox, or compiles one to
  # bytecode. `Kobako::CLI.new(argv).run` returns the exit status.
  class CLI
    # Exit status by outcome, as `kobako --help` lists them.
    EXIT = {
      ok: 0, sandbox: 1, usage: 2, service: 3, timeout: 4, memory: 5, trap: 6, artifact: 7
    }.freeze

    SIZE = /\A(\d+)([KMG]?)i?B?\z/i
    SIZE_UNITS = { "" => 1, "K" => 1 << 10, "M" => 1 << 20, "G" => 1 << 30 }.freeze

    def initialize(argv, stdin: $stdin, stdout: $stdout, stderr: $stderr)
      @argv = argv.dup
      @stdin = stdin
      @out = stdout
      @err = stderr
      @options = {}
      @json = false
    end

    # @return [Integer] the exit status
    def run
      return compile if @argv.first == "compile"

      source, name = parse_run
      return EXIT[:ok] unless source

      evaluate(source, name)
    rescue OptionParser::ParseError, ArgumentError => e
      @err.puts "kobako: #{e.message}"
      @err.puts "try: kobako --help"
      EXIT[:usage]
    end

    private

    def parse_run
      code = nil
      parser = run_parser { |c| code = c }
      rest = parser.parse(@argv)
      return [nil, nil] if @done
      return [code, "-e"] if code && rest.empty?

      case rest
      in ["-"] then [@stdin.read, "-"]
      in [path] then [File.read(path), path]
      else raise OptionParser::InvalidArgument, "give one of -e CODE, FILE or -"
      end
    rescue Errno::ENOENT => e
      raise ArgumentError, e.message
    end

    def run_parser(&on_code)
      OptionParser.new do |o|
        o.banner = "usage: kobako [options] -e CODE | FILE | -\n       kobako compile IN.rb -o OUT.mrb [--no-debug]"
        o.separator ""
        o.on("-e CODE", "run CODE") { |c| on_code.call(c) }
        cap_options(o)
        o.on("--json", "print one JSON object: value, stdout, stderr, error") { @json = true }
        info_options(o)
      end
    end

    def cap_options(parser)
      parser.on("--timeout SECONDS", "wall-clock cap (default 60; 0 or none: no cap)") do |v|
        @options[:timeout] = seconds(v)
      end
      parser.on("--memory-limit SIZE", "guest memory growth cap, e.g. 10M (default 1M; none: no cap)") do |v|
        @options[:memory_limit] = v == "none" ? nil : size(v)
      end
      parser.on("--fuel N", Integer, "deterministic work budget in checkpoints") { |v| @options[:fuel] = v }
      parser.on("--stdout-limit SIZE", "bytes of stdout kept (default 1M)") { |v| @options[:stdout_limit] = size(v) }
      parser.on("--stderr-limit SIZE", "bytes of stderr kept (default 1M)") { |v| @options[:stderr_limit] = size(v) }
    end

    def info_options(parser)
      parser.on("-v", "--version", "gem, mruby, Wasmer and artifact versions") do
        @out.puts Report.version
        @done = true
      end
      parser.on("-h", "--help", "this help") do
        @out.puts(parser, "", exit_statuses)
        @done = true
      end
    end

    def exit_statuses
      "exit status: 0 ok, 1 the script raised (SandboxError), 2 usage, 3 a service raised, " \
        "4 timeout or fuel, 5 memory_limit, 6 other trap, 7 artifact missing or damaged"
    end

    def seconds(value)
      return nil if %w[0 none].include?(value)

      Float(value)
    end

    def size(value)
      match = SIZE.match(value) or raise ArgumentError, "not a size: #{value.inspect} (e.g. 512K, 10M, 1G)"
      Integer(match[1]) * SIZE_UNITS.fetch(match[2].upcase)
    end

    def evaluate(source, _name)
      sandbox = Sandbox.new(**@options)
      value = sandbox.eval(source)
      report(sandbox, value:)
      EXIT[:ok]
    rescue Kobako::Error => e
      report(sandbox, error: e)
      status_for(e)
    end

    def status_for(error)
      case error
      when TimeoutError then EXIT[:timeout]
      when MemoryLimitError then EXIT[:memory]
      when TrapError then EXIT[:trap]
      when ServiceError then EXIT[:service]
      when ArtifactError then EXIT[:artifact]
      else EXIT[:sandbox]
      end
    end

    def report(sandbox, value: nil, error: nil)
      stdout = sandbox&.stdout || ""
      stderr = sandbox&.stderr || ""
      return @out.puts(JSON.generate(Report.json(stdout, stderr, value, error))) if @json

      @out.write(stdout)
      @err.write(stderr)
      error ? describe(error) : @out.puts("=> #{value.inspect}")
    end

    def describe(error)
      klass = error.respond_to?(:klass) && error.klass ? "(#{error.klass}) " : ""
      @err.puts "#{error.class}: #{klass}#{error.message}"
      error.backtrace_lines.first(10).each { |line| @err.puts "  from #{line}" } if error.respond_to?(:backtrace_lines)
    end

    def compile
      input, output, debug = parse_compile
      File.binwrite(output, Kobako.compile(File.read(input), name: input, debug:))
      EXIT[:ok]
    rescue Kobako::Error => e
      describe(e)
      status_for(e)
    rescue Errno::ENOENT => e
      raise ArgumentError, e.message
    end

    def parse_compile
      output = nil
      debug = true
      rest = OptionParser.new do |o|
        o.on("-o OUT", "bytecode file to write") { |v| output = v }
        o.on("--[no-]debug", "keep line numbers (default: yes)") { |v| debug = v }
      end.parse(@argv.drop(1))
      raise ArgumentError, "usage: kobako compile IN.rb -o OUT.mrb" unless rest.size == 1 && output

      [rest[0], output, debug]
    end
  end
end
