# frozen_string_literal: true

# Enumerable#sum as CRuby computes it: exact while the values are Integers,
# and once a Float appears, a Kahan-Babuska compensated float sum, so
# [0.1, 0.2, 0.3].sum is 0.6 (a plain running sum gives 0.6000000000000001).
module Enumerable
  def sum(init = 0, &block)
    total = init
    compensation = nil # a Float while summing floats
    each do |*yielded|
      # An each that yields several values (each_with_index) hands the
      # block all of them, and the sum an Array of them.
      e = if block
            block.call(*yielded)
          else
            yielded.size == 1 ? yielded[0] : yielded
          end
      if compensation.nil? && e.is_a?(Float) && total.is_a?(Numeric) && !total.is_a?(Complex)
        total = total.to_f
        compensation = 0.0
      end
      if compensation && (e.is_a?(Float) || e.is_a?(Integer) || e.is_a?(Rational))
        x = e.to_f
        t = total + x
        if t.finite?
          compensation += total.abs >= x.abs ? (total - t) + x : (x - t) + total
        end
        total = t
      else
        if compensation
          total += compensation
          compensation = nil
        end
        total += e
      end
    end
    compensation ? total + compensation : total
  end
end
