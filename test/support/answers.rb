# frozen_string_literal: true

require "rbconfig"

# How a Ruby source answers: its value (by #inspect, so 1 and 1.0 differ)
# and what it printed, in the guest and in CRuby (the host's ruby).
module Answers
  # CRuby's answers come from a fresh `ruby` (so nothing of the test
  # process, such as a `$!` left by an earlier test, leaks into them), with
  # the guest's time zone, and without 3.1's warning that find patterns are
  # experimental.
  HOST_SCRIPT = <<~RUBY
    require "stringio"
    answers = Marshal.load($stdin.read).to_h do |source|
      out = StringIO.new
      saved = $stdout
      $stdout = out
      value = begin
        Object.new.instance_eval(source).inspect
      rescue StandardError, ScriptError => e
        "raised \#{e.class}"
      ensure
        $stdout = saved
      end
      [source, [value, out.string]]
    end
    $stdout.write(Marshal.dump(answers))
  RUBY

  # @return [Hash{String => [String, String]}] source => [value, output]
  def self.cruby(sources)
    IO.popen({ "TZ" => "UTC" }, [RbConfig.ruby, "-W:no-experimental", "-e", HOST_SCRIPT], "r+b") do |io|
      io.write(Marshal.dump(sources))
      io.close_write
      Marshal.load(io.read) # rubocop:disable Security/MarshalLoad -- our own child's answers
    end
  end

  # @return [Array(String, String)] [value, output]
  def self.guest(source)
    sandbox = Kobako::Sandbox.new
    value = begin
      sandbox.eval(source).inspect
    rescue Kobako::SandboxError => e
      "raised #{e.klass}"
    end
    [value, sandbox.stdout]
  end
end
