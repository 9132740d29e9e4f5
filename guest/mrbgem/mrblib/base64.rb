# frozen_string_literal: true

# Base64 as CRuby's base64 library encodes and decodes (on mruby-pack).
module Base64
  extend self

  # With a newline after every 60 characters, as RFC 2045 has it.
  def encode64(bin) = [bin].pack("m")

  def decode64(str) = str.unpack1("m")

  def strict_encode64(bin) = [bin].pack("m0")

  def strict_decode64(str)
    unless str.length % 4 == 0 && str.match?(/\A[A-Za-z0-9+\/]*={0,2}\z/)
      raise ArgumentError, "invalid base64"
    end

    str.unpack1("m0")
  end

  def urlsafe_encode64(bin, padding: true)
    text = strict_encode64(bin).tr("+/", "-_")
    padding ? text : text.delete("=")
  end

  def urlsafe_decode64(str)
    str = str.tr("-_", "+/")
    str = str.ljust((str.length + 3) / 4 * 4, "=") unless str.end_with?("=")
    strict_decode64(str)
  end
end
