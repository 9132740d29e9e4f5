# frozen_string_literal: true

# The printing methods of every writable stream (IO and StringIO), each
# built on the stream's #write.
module Kobako
  module Printing
    def syswrite(object)
      write(object)
    end

    def <<(object)
      write(object)
      self
    end

    def print(*objects)
      objects.each { |object| write(object) }
      nil
    end

    def puts(*objects)
      if objects.empty?
        write("\n")
        return nil
      end
      objects.each do |object|
        if object.is_a?(Array)
          # An empty Array writes nothing, as in CRuby 3.1.
          puts(*object) unless object.empty?
          next
        end
        line = object.nil? ? "" : object.to_s
        line.end_with?("\n") ? write(line) : write(line, "\n")
      end
      nil
    end

    def printf(format_string, *args)
      write(format(format_string, *args))
      nil
    end

    def putc(char)
      write(char.is_a?(Integer) ? (char & 0xff).chr : char.to_s[0].to_s)
      nil
    end
  end
end

# The guest's IO: two write-only streams, fd 1 and fd 2, whose bytes the host
# captures per invocation. Every Kernel output method goes through $stdout or
# $stderr, so a script may redirect them (`$stdout = $stderr`) for the rest
# of that invocation.
class IO
  include Kobako::Printing

  # The modes a sandbox stream can be opened with.
  WRITABLE_MODES = ["w"].freeze

  attr_reader :fileno

  def initialize(fd, mode = "w", **_options)
    unless fd.is_a?(Integer) && (fd == 1 || fd == 2)
      raise ArgumentError, "kobako IO only supports fd 1 (stdout) and 2 (stderr), not fd #{fd.inspect}"
    end
    unless WRITABLE_MODES.include?(mode)
      raise ArgumentError, "kobako IO only supports mode \"w\", not mode #{mode.inspect}"
    end

    @fileno = fd
  end

  def self.open(*args, **options)
    io = new(*args, **options)
    block_given? ? yield(io) : io
  end

  alias to_i fileno

  def write(*objects)
    objects.sum { |object| __kobako_write(@fileno, object.to_s) }
  end

  def flush = self
  def fsync = 0
  def sync = true
  def sync=(value)
    value
  end

  def tty? = false
  alias isatty tty?
  def closed? = false

  def inspect
    "#<IO:#{@fileno == 1 ? "<STDOUT>" : "<STDERR>"}>"
  end
end

STDOUT = IO.new(1)
STDERR = IO.new(2)
$stdout = STDOUT
$stderr = STDERR

module Kernel
  private

  def print(*objects) = $stdout.print(*objects)
  def puts(*objects) = $stdout.puts(*objects)
  def putc(char) = $stdout.putc(char)

  def printf(*args)
    return nil if args.empty?

    io = args.first.is_a?(String) ? $stdout : args.shift
    io.printf(*args)
  end

  def p(*objects)
    objects.each { |object| $stdout.write(object.inspect, "\n") }
    objects.size <= 1 ? objects.first : objects
  end

  alias pp p

  def warn(*messages, uplevel: nil, category: nil)
    $stderr.puts(*messages) unless messages.empty?
    nil
  end

  # Private in objects, public on Kernel itself (Kernel.puts), as in CRuby.
  module_function :print, :puts, :putc, :printf, :p, :pp, :warn
end
