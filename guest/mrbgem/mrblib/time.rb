# frozen_string_literal: true

# Time as CRuby 3.1 formats and reads it, on top of mruby-time. The guest's
# clock is the host's (WASI clock_time_get); its local time zone is UTC.
class Time
  MONTH_NAMES = %w[January February March April May June July August September October November
                   December].freeze
  DAY_NAMES = %w[Sunday Monday Tuesday Wednesday Thursday Friday Saturday].freeze

  def utc_offset = 0
  alias gmt_offset utc_offset
  alias gmtoff utc_offset
  def zone = "UTC"
  def nsec = usec * 1000
  def subsec = Rational(usec, 1_000_000)

  def inspect
    return to_s if usec.zero?

    fraction = format("%06d", usec).sub(/0+\z/, "")
    to_s.sub(/(\d\d:\d\d:\d\d)/) { "#{Regexp.last_match(1)}.#{fraction}" }
  end

  def to_a = [sec, min, hour, day, month, year, wday, yday, false, zone]

  def xmlschema(fraction_digits = 0)
    fraction = fraction_digits.positive? ? ".#{format('%06d', usec)[0, fraction_digits].ljust(fraction_digits, '0')}" : ""
    strftime("%Y-%m-%dT%H:%M:%S#{fraction}#{utc? ? 'Z' : '%:z'}")
  end
  alias iso8601 xmlschema

  # (Made on first use: the Regexp gem loads after this one.)
  def self.__strftime_directive = @strftime_directive ||= Regexp.new('%([-_0^#]*)(\\d*)(:{0,2})([a-zA-Z%+])')

  # CRuby's directives, flags (-, _, 0, ^, #) and widths.
  def strftime(format)
    format.gsub(Time.__strftime_directive) do
      flags = Regexp.last_match(1)
      width = Regexp.last_match(2)
      colons = Regexp.last_match(3)
      directive = Regexp.last_match(4)
      field = __strftime_field(directive, colons)
      next "%#{flags}#{width}#{colons}#{directive}" if field.nil?

      __strftime_pad(field, flags, width.empty? ? nil : width.to_i)
    end
  end

  # [text, default width, default padding] of one directive.
  def __strftime_field(directive, colons)
    hour12 = hour % 12
    hour12 = 12 if hour12.zero?
    case directive
    when "Y" then [year.to_s, year.negative? ? 5 : 4, "0"]
    when "C" then [(year / 100).to_s, 2, "0"]
    when "y" then [(year % 100).to_s, 2, "0"]
    when "m" then [month.to_s, 2, "0"]
    when "B" then [MONTH_NAMES[month - 1], 0, " "]
    when "b", "h" then [MONTH_NAMES[month - 1][0, 3], 0, " "]
    when "d" then [day.to_s, 2, "0"]
    when "e" then [day.to_s, 2, " "]
    when "j" then [yday.to_s, 3, "0"]
    when "H" then [hour.to_s, 2, "0"]
    when "k" then [hour.to_s, 2, " "]
    when "I" then [hour12.to_s, 2, "0"]
    when "l" then [hour12.to_s, 2, " "]
    when "P" then [hour < 12 ? "am" : "pm", 0, " "]
    when "p" then [hour < 12 ? "AM" : "PM", 0, " "]
    when "M" then [min.to_s, 2, "0"]
    when "S" then [sec.to_s, 2, "0"]
    when "L" then [format("%06d", usec)[0, 3], 3, "0", :fraction]
    when "N" then [format("%06d000", usec), 9, "0", :fraction]
    when "z" then [colons.empty? ? "+0000" : "+00:00", 0, "0"]
    when "Z" then [zone, 0, " "]
    when "A" then [DAY_NAMES[wday], 0, " "]
    when "a" then [DAY_NAMES[wday][0, 3], 0, " "]
    when "u" then [(wday.zero? ? 7 : wday).to_s, 1, "0"]
    when "w" then [wday.to_s, 1, "0"]
    when "U" then [((yday - 1 - wday + 7) / 7).to_s, 2, "0"]
    when "W" then [((yday - 1 - ((wday - 1) % 7) + 7) / 7).to_s, 2, "0"]
    when "s" then [to_i.to_s, 1, "0"]
    when "n" then ["\n", 0, " "]
    when "t" then ["\t", 0, " "]
    when "%" then ["%", 0, " "]
    when "F" then [strftime("%Y-%m-%d"), 0, " "]
    when "T", "X" then [strftime("%H:%M:%S"), 0, " "]
    when "D", "x" then [strftime("%m/%d/%y"), 0, " "]
    when "R" then [strftime("%H:%M"), 0, " "]
    when "r" then [strftime("%I:%M:%S %p"), 0, " "]
    when "c" then [strftime("%a %b %e %H:%M:%S %Y"), 0, " "]
    when "+" then [strftime("%a %b %e %H:%M:%S %Z %Y"), 0, " "]
    end
  end

  def __strftime_pad(field, flags, width)
    text, natural, padding, kind = field
    if kind == :fraction
      # A width is the number of digits, not a padding.
      return width ? text.ljust(width, "0")[0, width] : text
    end

    text = text.upcase if flags.include?("^")
    text = text.swapcase if flags.include?("#")
    return text if flags.include?("-")

    padding = "0" if flags.include?("0")
    padding = " " if flags.include?("_")
    width ||= natural
    negative = text.start_with?("-") && padding == "0"
    text = text[1..] if negative
    text = text.rjust(width - (negative ? 1 : 0), padding)
    negative ? "-#{text}" : text
  end
  private :__strftime_field, :__strftime_pad

  def self.__iso8601 = @iso8601 ||= Regexp.new('\\A\\s*(-?\\d{4,})-(\\d\\d)-(\\d\\d)(?:[T\\s](\\d\\d):(\\d\\d)(?::(\\d\\d)(?:[.,](\\d+))?)?)?\\s*(Z|UTC|[-+]\\d\\d:?\\d\\d)?\\s*\\z', Regexp::IGNORECASE)

  # Reads the ISO 8601 forms scripts use ("2024-01-15", "2024-01-15 10:30",
  # "2024-01-15T10:30:00.5Z", "...+09:00"). A time with a non-zero offset
  # is the same instant in UTC: the guest keeps no other zones.
  def self.parse(text, _now = nil)
    raise TypeError, "no implicit conversion of #{text.class} into String" unless text.is_a?(String)

    match = __iso8601.match(text) or raise ArgumentError, "no time information in #{text.inspect}"
    year, month, day, hour, minute, second = (1..6).map { |i| match[i].to_i }
    raise ArgumentError, "argument out of range" unless (1..12).cover?(month) && (1..31).cover?(day)

    usec = match[7] ? match[7][0, 6].ljust(6, "0").to_i : 0
    offset = match[8]
    return Time.local(year, month, day, hour, minute, second, usec) if offset.nil?

    time = Time.utc(year, month, day, hour, minute, second, usec)
    return time if offset.casecmp?("Z") || offset.casecmp?("UTC")

    sign = offset.start_with?("-") ? -1 : 1
    digits = offset.delete("-+:")
    time - (sign * ((digits[0, 2].to_i * 3600) + (digits[2, 2].to_i * 60)))
  end

  class << self
    alias iso8601 parse
    alias xmlschema parse
  end
end
