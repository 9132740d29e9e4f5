# frozen_string_literal: true

# StringIO: a stream over a String, for reading and writing, positioned in
# bytes as CRuby's is.
class StringIO
  include Enumerable
  include Kobako::Printing

  attr_reader :string
  attr_accessor :lineno

  def initialize(string = +"", _mode = nil, **_options)
    @string = string
    @pos = 0
    @lineno = 0
    @closed = false
  end

  def self.open(*args, **options)
    io = new(*args, **options)
    block_given? ? yield(io) : io
  end

  def string=(string)
    @string = string
    @pos = 0
    @lineno = 0
  end

  def pos = @pos
  alias tell pos

  def pos=(position)
    raise ArgumentError, "negative position" if position.negative?

    @pos = position
  end

  def seek(offset, whence = 0)
    base = case whence
           when 0, :SET then 0
           when 1, :CUR then @pos
           when 2, :END then @string.bytesize
           else raise ArgumentError, "invalid whence"
           end
    self.pos = base + offset
    0
  end

  def rewind
    @pos = 0
    @lineno = 0
    0
  end

  def size = @string.bytesize
  alias length size
  def eof? = @pos >= @string.bytesize
  alias eof eof?

  def write(*objects)
    objects.sum do |object|
      text = object.to_s
      if @pos > @string.bytesize
        @string << ("\0" * (@pos - @string.bytesize))
      end
      before = @string.byteslice(0, @pos)
      after = @string.byteslice(@pos + text.bytesize, @string.bytesize) || ""
      @string.replace("#{before}#{text}#{after}")
      @pos += text.bytesize
      text.bytesize
    end
  end

  def read(length = nil, buffer = nil)
    rest = @string.bytesize - @pos
    if length.nil?
      text = rest.positive? ? @string.byteslice(@pos, rest) : +""
    else
      return (length.zero? ? +"" : nil) if rest <= 0

      text = @string.byteslice(@pos, length)
    end
    @pos += text.bytesize
    buffer ? buffer.replace(text) : text
  end

  def getc
    return nil if eof?

    char = @string.byteslice(@pos, @string.bytesize)[0]
    @pos += char.bytesize
    char
  end

  def gets(separator = "\n", limit = nil, chomp: false)
    return nil if eof?

    rest = @string.byteslice(@pos, @string.bytesize)
    ends = separator && rest.index(separator)
    line = ends ? rest[0, ends + separator.length] : rest
    line = line.byteslice(0, limit) if limit
    @pos += line.bytesize
    @lineno += 1
    $_ = chomp && separator ? line.chomp(separator) : line
  end

  def readline(*args, **options)
    gets(*args, **options) or raise EOFError, "end of file reached"
  end

  def each_line(separator = "\n", chomp: false)
    unless block_given?
      lines = []
      each_line(separator, chomp: chomp) { |line| lines << line }
      return lines.each
    end

    while (line = gets(separator, chomp: chomp))
      yield line
    end
    self
  end
  alias each each_line

  def readlines(separator = "\n", chomp: false) = each_line(separator, chomp: chomp).to_a

  def truncate(length)
    @string.replace(@string.byteslice(0, length).ljust(length, "\0"))
    0
  end

  def close
    @closed = true
    nil
  end

  def closed? = @closed
  def close_read = nil
  def close_write = nil
  def flush = self
  def sync = true
  def sync=(value)
    value
  end

  def fsync = 0
  def tty? = false
  alias isatty tty?
  def fileno = nil
end
