# frozen_string_literal: true

# Kernel output for the guest: everything ends in __kobako_write(fd, str),
# which the host captures per invocation.
module Kernel
  private

  def __kobako_puts(fd, args)
    if args.empty?
      __kobako_write(fd, "\n")
      return nil
    end
    args.each do |arg|
      if arg.is_a?(Array)
        __kobako_puts(fd, arg.empty? ? [""] : arg)
        next
      end
      line = arg.nil? ? "" : arg.to_s
      __kobako_write(fd, line)
      __kobako_write(fd, "\n") unless line.end_with?("\n")
    end
    nil
  end

  def print(*args)
    args.each { |arg| __kobako_write(1, arg.to_s) }
    nil
  end

  def puts(*args)
    __kobako_puts(1, args)
  end

  def p(*args)
    args.each { |arg| __kobako_write(1, arg.inspect + "\n") }
    args.size <= 1 ? args.first : args
  end

  def warn(*args)
    __kobako_puts(2, args)
  end
end
