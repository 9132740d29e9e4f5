# frozen_string_literal: true

# Everyday Ruby, as LLM-written and CRuby programmers' scripts look: 200 short, complete,
# deterministic scripts (string processing, number formatting, collections and hashes,
# Structs and small classes, exceptions, JSON, fixed-date Time, blocks and lambdas, custom
# Enumerable/Comparable, and small business-rule programs). Each one's last expression is
# its result, a plain value (nil, booleans, Integer, Float, String, Symbol, Array, Hash);
# some also print. They were written independently of the sandbox and checked only
# against CRuby 3.1, so they measure how often the sandbox answers as CRuby does.
module EverydayCorpus # rubocop:disable Metrics/ModuleLength -- one constant, long by design
  SNIPPETS = [
    <<~'RUBY',
      def slugify(title)
        title.downcase.strip.gsub(/[^a-z0-9\s-]/, "").gsub(/\s+/, "-").squeeze("-")
      end

      ["Hello, World!", "  Ruby on Rails 7 ", "What's new -- in 3.1?"].map { |t| slugify(t) }
    RUBY
    <<~'RUBY',
      text = "the quick brown fox jumps over the lazy dog the end"
      freq = text.split.tally.sort_by { |word, count| [-count, word] }.first(3)
      freq.each { |word, count| puts "#{word.ljust(6)} #{count}" }
      freq.to_h
    RUBY
    <<~'RUBY',
      def caesar(text, shift)
        text.gsub(/[a-z]/i) do |ch|
          base = ch =~ /[a-z]/ ? "a".ord : "A".ord
          ((ch.ord - base + shift) % 26 + base).chr
        end
      end

      encoded = caesar("Hello, World!", 3)
      [encoded, caesar(encoded, -3)]
    RUBY
    <<~'RUBY',
      def palindrome?(str)
        cleaned = str.downcase.gsub(/[^a-z0-9]/, "")
        cleaned == cleaned.reverse
      end

      ["A man, a plan, a canal: Panama", "hello", "Was it a car or a cat I saw?"].map { |s| palindrome?(s) }
    RUBY
    <<~'RUBY',
      SMALL_WORDS = %w[a an the of and or in on at to].freeze

      def titleize(str)
        str.split.each_with_index.map do |word, i|
          if i.positive? && SMALL_WORDS.include?(word.downcase)
            word.downcase
          else
            word.capitalize
          end
        end.join(" ")
      end

      titleize("the lord OF the rings and the return of the king")
    RUBY
    <<~'RUBY',
      sentence = "Programming in Ruby is delightful"
      vowels = sentence.downcase.count("aeiou")
      consonants = sentence.downcase.count("a-z") - vowels
      { vowels: vowels, consonants: consonants, words: sentence.split.size }
    RUBY
    <<~'RUBY',
      "Ruby makes developers happy".split.reverse.join(" ")
    RUBY
    <<~'RUBY',
      def truncate(text, length: 20, omission: "...")
        return text if text.length <= length

        text[0, length - omission.length].rstrip + omission
      end

      [
        truncate("Short text"),
        truncate("This sentence is definitely too long to show"),
        truncate("Another long line of text here", length: 12, omission: "…")
      ]
    RUBY
    <<~'RUBY',
      def mask_card(number)
        digits = number.delete(" -")
        ("*" * (digits.length - 4)) + digits[-4..]
      end

      [mask_card("4111 1111 1111 1234"), mask_card("5500-0000-0000-0004")]
    RUBY
    <<~'RUBY',
      template = "Dear {name}, your order {order} ships on {date}. Ref: {ref}"
      values = { "name" => "Alice", "order" => "A-1042", "date" => "March 5" }
      template.gsub(/\{(\w+)\}/) { values.fetch(Regexp.last_match(1), "?") }
    RUBY
    <<~'RUBY',
      replacements = { "&" => "&amp;", "<" => "&lt;", ">" => "&gt;", '"' => "&quot;" }
      html = '<a href="/x">Tom & Jerry</a>'
      html.gsub(/[&<>"]/, replacements)
    RUBY
    <<~'RUBY',
      text = "Contact alice@example.com or bob.smith@work.org; ignore foo@bar."
      text.scan(/\b[\w.+-]+@[\w-]+\.[a-z]{2,}\b/i)
    RUBY
    <<~'RUBY',
      def banner(title, width: 30)
        line = "=" * width
        [line, title.upcase.center(width), line].join("\n")
      end

      puts banner("Monthly Report")
      banner("Q1", width: 10).lines.map(&:chomp)
    RUBY
    <<~'RUBY',
      def camelize(str)
        str.split("_").map(&:capitalize).join
      end

      def underscore(str)
        str.gsub(/([a-z\d])([A-Z])/, '\1_\2').downcase
      end

      [camelize("user_account_id"), underscore("HttpRequestHandler"), underscore(camelize("order_line_item"))]
    RUBY
    <<~'RUBY',
      phone = "(555) 123-4567"
      digits = phone.tr("^0-9", "")
      formatted = "#{digits[0, 3]}.#{digits[3, 3]}.#{digits[6, 4]}"
      [digits, formatted, "aaabbbcccdd".squeeze, "mississippi".squeeze("sp")]
    RUBY
    <<~'RUBY',
      word = "bookkeeper"
      counts = Hash.new(0)
      word.each_char { |c| counts[c] += 1 }
      repeated = counts.select { |_, n| n > 1 }.keys
      [counts, repeated, word.chars.uniq.join]
    RUBY
    <<~'RUBY',
      words = %w[listen silent enlist google inlets banana tinsel]
      words.group_by { |w| w.chars.sort.join }.values.select { |g| g.size > 1 }
    RUBY
    <<~'RUBY',
      def wrap(text, width)
        lines = [""]
        text.split.each do |word|
          if lines.last.empty?
            lines[-1] = word
          elsif lines.last.length + word.length + 1 <= width
            lines[-1] = "#{lines.last} #{word}"
          else
            lines << word
          end
        end
        lines
      end

      wrap("The quick brown fox jumps over the lazy dog and keeps running far away", 20)
    RUBY
    <<~'RUBY',
      files = %w[report.csv notes.txt data_2024.csv README.md summary.CSV tmp_cache.txt]
      csvs = files.select { |f| f.downcase.end_with?(".csv") }
      temp = files.select { |f| f.start_with?("tmp_") }
      { csv: csvs, temp: temp, others: files - csvs - temp }
    RUBY
    <<~'RUBY',
      line = "host=db.local; port=5432; user=admin ; ssl=true"
      config = line.split(";").map(&:strip).to_h { |pair| pair.split("=", 2).map(&:strip) }
      config["port"] = config["port"].to_i
      config["ssl"] = config["ssl"] == "true"
      config
    RUBY
    <<~'RUBY',
      s = "2024-03-05"
      [s.sub("-", "/"), s.gsub("-", "/"), s.sub(/(\d+)-(\d+)-(\d+)/, '\3.\2.\1'), s.delete("-").to_i]
    RUBY
    <<~'RUBY',
      def acronym(phrase)
        phrase.scan(/\b[[:alpha:]]/).join.upcase
      end

      ["Portable Network Graphics", "as soon as possible", "Ruby on Rails"].map { |p| acronym(p) }
    RUBY
    <<~'RUBY',
      name = "Dana"
      items = 3
      message = <<~TEXT
        Hello #{name},

        You have #{items} items waiting in your cart.
        Thanks for shopping!
      TEXT
      puts message
      message.lines.size
    RUBY
    <<~'RUBY',
      text = <<~POEM
        Roses are red,
        Violets are blue,
        Ruby is neat,
        And so are you.
      POEM
      { lines: text.lines.count, words: text.split.size, chars: text.length, longest: text.split.max_by(&:length) }
    RUBY
    <<~'RUBY',
      names = ["ada lovelace", "grace brewster hopper", "alan turing"]
      names.map { |n| n.split.map { |part| "#{part[0].upcase}." }.join }
    RUBY
    <<~'RUBY',
      def rle(str)
        str.chars.chunk_while { |a, b| a == b }.map { |run| "#{run.size}#{run.first}" }.join
      end

      def unrle(str)
        str.scan(/(\d+)(\D)/).map { |n, c| c * n.to_i }.join
      end

      encoded = rle("WWWWBBBWWCCCCCD")
      [encoded, unrle(encoded)]
    RUBY
    <<~'RUBY',
      rows = [["Apples", 3, 1.2], ["Bananas", 12, 0.5], ["Cherries", 100, 7.25]]
      lines = rows.map do |name, qty, price|
        name.ljust(10) + qty.to_s.rjust(5) + format("%8.2f", price)
      end
      puts lines
      lines
    RUBY
    <<~'RUBY',
      def password_issues(pw)
        issues = []
        issues << "too short" if pw.length < 8
        issues << "no digit" unless pw.match?(/\d/)
        issues << "no uppercase" unless pw.match?(/[A-Z]/)
        issues << "no symbol" unless pw.match?(/[^A-Za-z0-9]/)
        issues
      end

      %w[abc Password1 S3cure!pass].to_h { |pw| [pw, password_issues(pw)] }
    RUBY
    <<~'RUBY',
      log = "2024-03-05 14:30:12 ERROR [payment] Card declined for order 1042"
      m = log.match(/(?<date>\S+) (?<time>\S+) (?<level>\w+) \[(?<component>\w+)\] (?<message>.*)/)
      m.named_captures.transform_keys(&:to_sym)
    RUBY
    <<~'RUBY',
      def run(command)
        case command.split
        in ["add", item] then "added #{item}"
        in ["add", item, qty] then "added #{qty.to_i} x #{item}"
        in ["remove", *items] if items.any? then "removed #{items.join(', ')}"
        in ["list"] then "listing"
        in [] then "empty command"
        else "unknown: #{command}"
        end
      end

      ["add apple", "add pear 3", "remove a b", "remove", "list", "", "dance"].map { |c| run(c) }
    RUBY
    <<~'RUBY',
      def currency(amount)
        whole, cents = format("%.2f", amount).split(".")
        whole = whole.reverse.scan(/\d{1,3}/).join(",").reverse
        "$#{whole}.#{cents}"
      end

      [currency(1234567.891), currency(0.5), currency(999.999)]
    RUBY
    <<~'RUBY',
      temps_c = [-40, 0, 37, 100]
      temps_c.to_h { |c| [c, (c * 9.0 / 5 + 32).round(1)] }
    RUBY
    <<~'RUBY',
      total_seconds = 98_765
      hours, rest = total_seconds.divmod(3600)
      minutes, seconds = rest.divmod(60)
      format("%02d:%02d:%02d", hours, minutes, seconds)
    RUBY
    <<~'RUBY',
      votes = { "Alice" => 412, "Bob" => 377, "Carol" => 211 }
      total = votes.values.sum
      votes.map { |name, v| format("%-6s %5.1f%%", name, v * 100.0 / total) }
    RUBY
    <<~'RUBY',
      def luhn_valid?(number)
        digits = number.digits
        sum = digits.each_with_index.sum do |d, i|
          if i.odd?
            doubled = d * 2
            doubled > 9 ? doubled - 9 : doubled
          else
            d
          end
        end
        (sum % 10).zero?
      end

      [4_539_578_763_621_486, 1_234_567_812_345_678, 79_927_398_713].map { |n| luhn_valid?(n) }
    RUBY
    <<~'RUBY',
      a = Rational(3, 4)
      b = Rational(5, 6)
      sum = a + b
      [sum.to_s, sum.to_f.round(4), 12.gcd(18), 12.lcm(18), (a * b).to_s]
    RUBY
    <<~'RUBY',
      (1..15).map do |n|
        if (n % 15).zero? then "FizzBuzz"
        elsif (n % 3).zero? then "Fizz"
        elsif (n % 5).zero? then "Buzz"
        else n.to_s
        end
      end
    RUBY
    <<~'RUBY',
      def prime?(n)
        return false if n < 2

        (2..Integer.sqrt(n)).none? { |d| (n % d).zero? }
      end

      (1..50).select { |n| prime?(n) }
    RUBY
    <<~'RUBY',
      principal = 10_000.0
      rate = 0.05
      years = 10
      balance = (1..years).each_with_object([]) do |year, rows|
        amount = principal * (1 + rate)**year
        rows << format("Year %2d: %10.2f", year, amount)
      end
      puts balance.last(3)
      (principal * (1 + rate)**years).round(2)
    RUBY
    <<~'RUBY',
      values = [2.5, 3.5, -2.5, 1.005, 10.0 / 3]
      values.map { |v| [v.round, v.round(2), v.floor, v.ceil, v.truncate] }
    RUBY
    <<~'RUBY',
      ONES = %w[zero one two three four five six seven eight nine ten eleven twelve thirteen
                fourteen fifteen sixteen seventeen eighteen nineteen].freeze
      TENS = %w[_ _ twenty thirty forty fifty sixty seventy eighty ninety].freeze

      def in_words(n)
        if n < 20
          ONES[n]
        elsif n < 100
          tens, ones = n.divmod(10)
          ones.zero? ? TENS[tens] : "#{TENS[tens]}-#{ONES[ones]}"
        else
          hundreds, rest = n.divmod(100)
          rest.zero? ? "#{ONES[hundreds]} hundred" : "#{ONES[hundreds]} hundred #{in_words(rest)}"
        end
      end

      [7, 42, 100, 315, 999].map { |n| in_words(n) }
    RUBY
    <<~'RUBY',
      scores = [88, 92, 79, 93, 85, 71, 90]
      mean = scores.sum.to_f / scores.size
      sorted = scores.sort
      median = sorted[sorted.size / 2]
      variance = scores.sum { |s| (s - mean)**2 } / scores.size
      { mean: mean.round(2), median: median, stddev: Math.sqrt(variance).round(3) }
    RUBY
    <<~'RUBY',
      n = 255
      [n.to_s(2), n.to_s(8), n.to_s(16), "ff".to_i(16), "1010".to_i(2), format("%08b", 37), format("%#x", 48_879)]
    RUBY
    <<~'RUBY',
      [2.pow(10), 3.pow(200, 1_000_007), 7**3, 2**40, 10.pow(9) + 7, -7 / 2, -7 % 3, 7.fdiv(2)]
    RUBY
    <<~'RUBY',
      def factorial(n) = (1..n).reduce(1, :*)

      fib = [0, 1]
      fib << fib[-1] + fib[-2] while fib.size < 15
      [factorial(10), factorial(20), fib]
    RUBY
    <<~'RUBY',
      def cash_round(amount)
        (amount * 20).round / 20.0
      end

      [1.02, 1.03, 1.07, 2.99, 10.024].map { |a| format("%.2f", cash_round(a)) }
    RUBY
    <<~'RUBY',
      def ordinal(n)
        suffix = if (11..13).cover?(n % 100)
                   "th"
                 else
                   { 1 => "st", 2 => "nd", 3 => "rd" }.fetch(n % 10, "th")
                 end
        "#{n}#{suffix}"
      end

      [1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111].map { |n| ordinal(n) }
    RUBY
    <<~'RUBY',
      table = []
      1.step(10, 3) { |i| table << i }
      squares = 1.upto(5).map { |i| i * i }
      floats = 0.0.step(1.0, 0.25).to_a
      [table, squares, floats, 10.downto(7).to_a, 3.times.map { |i| i * 10 }]
    RUBY
    <<~'RUBY',
      def bmi(weight_kg, height_m)
        (weight_kg / (height_m**2)).round(1)
      end

      def category(bmi)
        case bmi
        when ...18.5 then "underweight"
        when 18.5...25 then "normal"
        when 25...30 then "overweight"
        else "obese"
        end
      end

      [[50, 1.75], [70, 1.75], [85, 1.75], [110, 1.75]].map { |w, h| bmi(w, h) }.map { |b| "#{b} #{category(b)}" }
    RUBY
    <<~'RUBY',
      def human_size(bytes)
        units = %w[B KB MB GB TB]
        size = bytes.to_f
        unit = units.shift
        while size >= 1024 && !units.empty?
          size /= 1024
          unit = units.shift
        end
        format(unit == "B" ? "%d %s" : "%.1f %s", size, unit)
      end

      [512, 2048, 1_500_000, 3_221_225_472].map { |b| human_size(b) }
    RUBY
    <<~'RUBY',
      prices_cents = [1999, 2450, 399]
      subtotal = prices_cents.sum
      tax = (subtotal * 0.0825).round
      total = subtotal + tax
      [subtotal, tax, total].map { |c| format("$%d.%02d", c / 100, c % 100) }
    RUBY
    <<~'RUBY',
      def collatz_steps(n)
        steps = 0
        until n == 1
          n = n.even? ? n / 2 : 3 * n + 1
          steps += 1
        end
        steps
      end

      (1..10).to_h { |n| [n, collatz_steps(n)] }.max_by { |_, s| s }
    RUBY
    <<~'RUBY',
      [
        format("%.3e", 123_456.789), format("%g", 0.00001234), format("%10.4f|", Math::PI),
        format("%-10s|", "left"), format("%+d", 42), 1234.5678.floor(2), 1e3.to_i, "%05.1f" % 3.14159
      ]
    RUBY
    <<~'RUBY',
      bytes = "Hi!".unpack("C*")
      packed = [72, 105, 33].pack("C*")
      hex = "Ruby".unpack1("H*")
      [bytes, packed, hex, [hex].pack("H*")]
    RUBY
    <<~'RUBY',
      a = 0.1 + 0.2
      [a, a == 0.3, (a - 0.3).abs < Float::EPSILON, a.round(2) == 0.3, 1.0 / 3, 10 / 4, 10 % 4, 10.0 / 4]
    RUBY
    <<~'RUBY',
      orders = [
        { id: 1, customer: "alice", total: 120.0 },
        { id: 2, customer: "bob", total: 75.5 },
        { id: 3, customer: "alice", total: 30.25 },
        { id: 4, customer: "carol", total: 210.0 }
      ]
      orders.group_by { |o| o[:customer] }.transform_values { |list| list.sum { |o| o[:total] } }
    RUBY
    <<~'RUBY',
      numbers = (1..20).to_a
      evens, odds = numbers.partition(&:even?)
      { evens: evens.sum, odds: odds.sum, threes_squared: numbers.select { |n| (n % 3).zero? }.map { |n| n * n } }
    RUBY
    <<~'RUBY',
      fruits = %w[apple banana cherry apple banana apple date]
      fruits.tally.sort_by { |fruit, count| [-count, fruit] }.to_h
    RUBY
    <<~'RUBY',
      items = ("a".."k").to_a
      items.each_slice(4).map { |group| group.join(",") }
    RUBY
    <<~'RUBY',
      prices = [10, 12, 11, 15, 18, 17, 20]
      prices.each_cons(3).map { |window| (window.sum / 3.0).round(2) }
    RUBY
    <<~'RUBY',
      names = %w[Ann Ben Cid]
      ages = [31, 25, 40]
      cities = %w[Oslo Lima Rome]
      names.zip(ages, cities).map { |n, a, c| "#{n} (#{a}) from #{c}" }
    RUBY
    <<~'RUBY',
      teams = { red: %w[ann bob], blue: %w[cid dee eve], green: [] }
      teams.flat_map { |team, members| members.map { |m| "#{m}@#{team}" } }
    RUBY
    <<~'RUBY',
      config = { database: { primary: { host: "db1", port: 5432 }, replica: nil }, features: ["search"] }
      [
        config.dig(:database, :primary, :port),
        config.dig(:database, :replica, :host),
        config[:database][:replica]&.fetch(:host),
        config.dig(:features, 0),
        config.fetch(:timeout, 30)
      ]
    RUBY
    <<~'RUBY',
      stock_a = { "apples" => 10, "pears" => 4, "plums" => 7 }
      stock_b = { "apples" => 5, "plums" => 1, "kiwis" => 12 }
      stock_a.merge(stock_b) { |_fruit, a, b| a + b }.sort.to_h
    RUBY
    <<~'RUBY',
      raw = ["12", "abc", "7", "", "42", "3.5"]
      raw.filter_map { |s| Integer(s, exception: false) }
    RUBY
    <<~'RUBY',
      users = [%w[u1 ann admin], %w[u2 bob viewer], %w[u3 cid admin]]
      users.each_with_object(Hash.new { |h, k| h[k] = [] }) { |(id, _name, role), acc| acc[role] << id }
    RUBY
    <<~'RUBY',
      products = [
        { name: "Laptop", price: 999 },
        { name: "Mouse", price: 25 },
        { name: "Monitor", price: 199 },
        { name: "Cable", price: 9 }
      ]
      cheapest = products.min_by { |p| p[:price] }
      priciest = products.max_by { |p| p[:price] }
      [cheapest[:name], priciest[:name], products.map { |p| p[:price] }.minmax]
    RUBY
    <<~'RUBY',
      people = [["Smith", "John", 42], ["Doe", "Jane", 35], ["Smith", "Anna", 29], ["Brown", "Zoe", 35]]
      people.sort_by { |last, first, age| [-age, last, first] }.map { |l, f, a| "#{f} #{l} (#{a})" }
    RUBY
    <<~'RUBY',
      emails = %w[Alice@Example.com bob@example.com alice@example.com BOB@EXAMPLE.COM carol@example.com]
      emails.uniq(&:downcase)
    RUBY
    <<~'RUBY',
      temps = [18, 21, 25, 30, 27, 19]
      {
        first_hot: temps.find { |t| t > 26 },
        any_freezing: temps.any? { |t| t <= 0 },
        all_positive: temps.all?(&:positive?),
        warm_days: temps.count { |t| t >= 25 },
        index_of_max: temps.each_with_index.max[1]
      }
    RUBY
    <<~'RUBY',
      pages = [1, 2, 3, 7, 8, 10, 12, 13, 14, 15]
      runs = pages.chunk_while { |a, b| b == a + 1 }
      runs.map { |run| run.size > 1 ? "#{run.first}-#{run.last}" : run.first.to_s }.join(", ")
    RUBY
    <<~'RUBY',
      readings = [3, 4, 6, 5, 7, 9, 2, 3]
      readings.slice_when { |a, b| b < a }.to_a
    RUBY
    <<~'RUBY',
      codes = { "US" => "United States", "FR" => "France", "JP" => "Japan" }
      inverted = codes.invert
      [inverted["France"], codes.key("Japan"), codes.keys.sort, codes.values.map(&:length)]
    RUBY
    <<~'RUBY',
      sales = [["north", "widget", 3], ["south", "gadget", 5], ["north", "gadget", 2], ["north", "widget", 4]]
      report = Hash.new { |h, k| h[k] = Hash.new(0) }
      sales.each { |region, product, qty| report[region][product] += qty }
      report
    RUBY
    <<~'RUBY',
      inventory = { "pens" => 120, "paper" => 0, "staplers" => 8, "ink" => 0, "tape" => 35 }
      in_stock = inventory.reject { |_, qty| qty.zero? }
      low = in_stock.select { |_, qty| qty < 10 }.keys
      { in_stock: in_stock.size, low: low, out: inventory.select { |_, q| q.zero? }.keys }
    RUBY
    <<~'RUBY',
      row = { "First Name" => "Ada", "Last Name" => "Lovelace", "Birth Year" => "1815" }
      row.transform_keys { |k| k.downcase.tr(" ", "_").to_sym }.transform_values { |v| v.match?(/\A\d+\z/) ? v.to_i : v }
    RUBY
    <<~'RUBY',
      def describe(value)
        case value
        in Integer | Float => n if n.negative? then "negative number"
        in Integer => n then "integer #{n}"
        in Float => f then "float #{f.round(2)}"
        in String => s if s.empty? then "empty string"
        in String => s then "string of #{s.length}"
        in [] then "empty array"
        in [first, *rest] then "array starting with #{first.inspect} (+#{rest.size})"
        in { name: String => name } then "named #{name}"
        in nil then "nothing"
        else "something else"
        end
      end

      [42, -3.5, 2.718, "", "hello", [], [1, 2, 3], { name: "Ann", age: 3 }, nil, :sym].map { |v| describe(v) }
    RUBY
    <<~'RUBY',
      monday = %w[ann bob cid dee]
      tuesday = %w[bob dee eve]
      { both: monday & tuesday, either: monday | tuesday, only_monday: monday - tuesday, visits: (monday + tuesday).size }
    RUBY
    <<~'RUBY',
      require "set"
      seen = Set.new
      dupes = []
      %w[a7 b2 a7 c9 b2 d1 a7].each { |code| dupes << code unless seen.add?(code) }
      [seen.to_a, dupes.uniq, seen.include?("c9"), Set[1, 2, 3].subset?(Set[1, 2, 3, 4])]
    RUBY
    <<~'RUBY',
      todo = ["Buy milk", "Call mom", "Fix bike"]
      todo.each_with_index.map { |task, i| "#{i + 1}. #{task}" }
    RUBY
    <<~'RUBY',
      matrix = [[1, 2, 3], [4, 5, 6]]
      nested = [1, [2, nil, [3, [4, nil]]]]
      [matrix.transpose, nested.flatten.compact, matrix.map(&:sum), matrix.flatten.each_slice(2).to_a]
    RUBY
    <<~'RUBY',
      scores = { "ann" => 82, "bob" => 95, "cid" => 67, "dee" => 95, "eve" => 78 }
      top = scores.sort_by { |name, s| [-s, name] }.first(3)
      top.each.with_index(1) { |(name, s), rank| puts "#{rank}. #{name.capitalize} - #{s}" }
      top.to_h
    RUBY
    <<~'RUBY',
      words = %w[apple avocado banana blueberry cherry cranberry citrus date]
      words.group_by { |w| w[0] }.transform_values(&:count)
    RUBY
    <<~'RUBY',
      header = "id,name,email"
      values = "7,Grace,grace@example.com"
      record = header.split(",").zip(values.split(",")).to_h
      record.merge("id" => record["id"].to_i)
    RUBY
    <<~'RUBY',
      grades = [["math", 90], ["art", 75], ["math", 82], ["art", 88], ["history", 70]]
      grades.group_by(&:first).to_h { |subject, rows| [subject, (rows.sum(&:last).to_f / rows.size).round(1)] }
    RUBY
    <<~'RUBY',
      colors = %w[red green blue]
      assignments = %w[t1 t2 t3 t4 t5 t6 t7].zip(colors.cycle)
      [assignments.to_h, colors.rotate, colors.rotate(-1)]
    RUBY
    <<~'RUBY',
      cart = [
        { sku: "A1", qty: 2, price: 3.5 },
        { sku: "B2", qty: 1, price: 12.0 },
        { sku: "C3", qty: 4, price: 0.75 }
      ]
      lines = cart.map { |item| item.merge(line_total: item[:qty] * item[:price]) }
      {
        count: cart.sum { |i| i[:qty] },
        total: lines.sum { |l| l[:line_total] },
        biggest: lines.max_by { |l| l[:line_total] }[:sku]
      }
    RUBY
    <<~'RUBY',
      settings = { theme: "dark", font_size: 14, autosave: true, beta: false }
      removed = settings.delete(:beta)
      settings[:language] ||= "en"
      settings[:theme] ||= "light"
      [settings.key?(:beta), removed, settings, settings.count { |_, v| v == true }]
    RUBY
    <<~'RUBY',
      log_levels = %w[debug debug info warn error info debug]
      [
        log_levels.take_while { |l| l == "debug" },
        log_levels.drop_while { |l| l != "warn" },
        log_levels.first(2),
        log_levels.last,
        log_levels.index("error")
      ]
    RUBY
    <<~'RUBY',
      sizes = %w[S M L]
      colors = %w[red blue]
      variants = sizes.product(colors).map { |s, c| "#{s}-#{c}" }
      pairs = %w[ann bob cid dee].combination(2).map { |a, b| "#{a}&#{b}" }
      [variants, pairs.size, pairs.first(3), [1, 2, 3].permutation.count]
    RUBY
    <<~'RUBY',
      Point = Struct.new(:x, :y) do
        def distance_to(other)
          Math.sqrt((x - other.x)**2 + (y - other.y)**2)
        end

        def to_s = "(#{x}, #{y})"
      end

      a = Point.new(0, 0)
      b = Point.new(3, 4)
      [a.distance_to(b), b.to_s, b.to_a, a == Point.new(0, 0)]
    RUBY
    <<~'RUBY',
      User = Struct.new(:name, :email, :role, keyword_init: true)
      users = [
        User.new(name: "Ann", email: "ann@example.com", role: :admin),
        User.new(name: "Bob", email: "bob@example.com", role: :member)
      ]
      users.select { |u| u.role == :admin }.map(&:to_h)
    RUBY
    <<~'RUBY',
      class BankAccount
        attr_reader :owner, :balance

        def initialize(owner, balance = 0)
          @owner = owner
          @balance = balance
        end

        def deposit(amount)
          @balance += amount
          self
        end

        def withdraw(amount)
          @balance -= amount if amount <= @balance
          self
        end

        def to_s = "#{owner}: $#{format('%.2f', balance)}"
      end

      account = BankAccount.new("Ann", 100).deposit(50).withdraw(500).withdraw(30)
      account.to_s
    RUBY
    <<~'RUBY',
      class Shape
        def describe = "#{kind} with area #{format('%.2f', area)}"
      end

      class Circle < Shape
        def initialize(radius)
          @radius = radius
        end

        def kind = "circle"
        def area = Math::PI * @radius**2
      end

      class Rect < Shape
        def initialize(width, height)
          @width = width
          @height = height
        end

        def kind = "rectangle"
        def area = @width * @height
      end

      [Circle.new(1.5), Rect.new(3, 4)].map(&:describe)
    RUBY
    <<~'RUBY',
      module Greeter
        def greet = "Hello, I'm #{name}"
      end

      module Farewell
        def bye = "Goodbye from #{name}"
      end

      class Person
        include Greeter
        include Farewell
        attr_reader :name

        def initialize(name)
          @name = name
        end
      end

      person = Person.new("Ann")
      [person.greet, person.bye, Person.include?(Greeter), person.is_a?(Farewell)]
    RUBY
    <<~'RUBY',
      module Units
        INCH_TO_CM = 2.54

        def self.inches_to_cm(inches) = (inches * INCH_TO_CM).round(2)

        def self.cm_to_inches(cm) = (cm / INCH_TO_CM).round(2)
      end

      [Units.inches_to_cm(12), Units.cm_to_inches(100), Units::INCH_TO_CM]
    RUBY
    <<~'RUBY',
      class Ticket
        @count = 0

        class << self
          attr_reader :count

          def issue(event)
            @count += 1
            new(event, @count)
          end
        end

        attr_reader :event, :number

        def initialize(event, number)
          @event = event
          @number = number
        end

        def code = format("%s-%04d", event.upcase[0, 3], number)
      end

      tickets = %w[concert concert theater].map { |e| Ticket.issue(e) }
      [tickets.map(&:code), Ticket.count]
    RUBY
    <<~'RUBY',
      Employee = Struct.new(:name, :dept, :salary)
      staff = [
        Employee.new("Ann", "eng", 120_000),
        Employee.new("Bob", "ops", 85_000),
        Employee.new("Cid", "eng", 98_000),
        Employee.new("Dee", "ops", 91_000)
      ]
      staff.group_by(&:dept).transform_values { |list| list.max_by(&:salary).name }
    RUBY
    <<~'RUBY',
      class Money
        attr_reader :cents, :currency

        def initialize(cents, currency = "USD")
          @cents = cents
          @currency = currency
        end

        def +(other) = Money.new(cents + other.cents, currency)

        def to_s = format("%.2f %s", cents / 100.0, currency)
        alias inspect to_s
      end

      total = [Money.new(1999), Money.new(501), Money.new(1000)].reduce(:+)
      p total
      total.to_s
    RUBY
    <<~'RUBY',
      class Calculator
        def add(a, b) = a + b
        def subtract(a, b) = a - b
        def multiply(a, b) = a * b
      end

      calc = Calculator.new
      ops = [["add", 2, 3], ["multiply", 4, 5], ["divide", 1, 2], ["subtract", 10, 4]]
      ops.map { |op, a, b| calc.respond_to?(op) ? calc.public_send(op, a, b) : "unknown op #{op}" }
    RUBY
    <<~'RUBY',
      Address = Struct.new(:street, :city, :zip)
      home = Address.new("1 Main St", "Springfield", "12345")
      work = Address.new("1 Main St", "Springfield", "12345")
      lines = home.each_pair.map { |field, value| "#{field}: #{value}" }
      [home == work, Address.members, lines, home.to_h.values_at(:city, :zip)]
    RUBY
    <<~'RUBY',
      class Config
        DEFAULTS = { retries: 3, timeout: 10, verbose: false }.freeze

        attr_reader :settings

        def initialize(**overrides)
          @settings = DEFAULTS.merge(overrides).freeze
        end

        def with(**changes) = Config.new(**settings, **changes)
      end

      base = Config.new(timeout: 5)
      debug = base.with(verbose: true)
      [base.settings, debug.settings, base.settings.frozen?, Config::DEFAULTS[:retries]]
    RUBY
    <<~'RUBY',
      class Thermostat
        attr_reader :target

        def initialize
          @target = 20
        end

        def target=(value)
          @target = value.clamp(10, 30)
        end
      end

      thermostat = Thermostat.new
      [35, 5, 22].map do |v|
        thermostat.target = v
        thermostat.target
      end
    RUBY
    <<~'RUBY',
      module TextUtils
        module_function

        def word_count(text) = text.split.size

        def sentence_count(text) = text.scan(/[.!?]+/).size

        def average_word_length(text)
          words = text.scan(/[A-Za-z']+/)
          (words.sum(&:length).to_f / words.size).round(2)
        end
      end

      text = "Ruby is fun. It is also practical! Try it?"
      [TextUtils.word_count(text), TextUtils.sentence_count(text), TextUtils.average_word_length(text)]
    RUBY
    <<~'RUBY',
      class Stack
        def initialize
          @items = []
        end

        def push(item) = @items.push(item)
        def pop = @items.pop
        def empty? = @items.empty?
      end

      def balanced?(expr)
        pairs = { ")" => "(", "]" => "[", "}" => "{" }
        stack = Stack.new
        expr.each_char do |ch|
          if pairs.value?(ch)
            stack.push(ch)
          elsif pairs.key?(ch)
            return false if stack.pop != pairs[ch]
          end
        end
        stack.empty?
      end

      ["(a[b]{c})", "(]", "((x)", "{[()()]}"].map { |e| balanced?(e) }
    RUBY
    <<~'RUBY',
      class Vehicle
        attr_reader :wheels, :name

        def initialize(name, wheels)
          @name = name
          @wheels = wheels
        end

        def description = "#{name} has #{wheels} wheels"
      end

      class Motorcycle < Vehicle
        def initialize(name)
          super(name, 2)
        end

        def description = "#{super} and goes vroom"
      end

      [Vehicle.new("Truck", 18).description, Motorcycle.new("Ducati").description, Motorcycle.superclass == Vehicle]
    RUBY
    <<~'RUBY',
      Order = Struct.new(:id, :items, :status, keyword_init: true) do
        def initialize(id:, items: [], status: "pending")
          super
        end

        def total = items.sum { |i| i[:price] * i[:qty] }
      end

      order = Order.new(id: 1, items: [{ price: 5.0, qty: 2 }, { price: 1.25, qty: 4 }])
      [order.status, order.total, Order.new(id: 2).items, Order.new(id: 3, status: "shipped").to_h]
    RUBY
    <<~'RUBY',
      class Player
        attr_reader :name

        def initialize(name, score)
          @name = name
          @score = score
        end

        def beats?(other) = score > other.score

        protected

        attr_reader :score
      end

      ann = Player.new("Ann", 42)
      bob = Player.new("Bob", 37)
      [ann.beats?(bob), bob.beats?(ann), ann.respond_to?(:score)]
    RUBY
    <<~'RUBY',
      class PriceList
        def initialize(prices)
          @prices = prices
        end

        def sorted
          @sorted ||= @prices.sort_by { |_, v| v }.to_h
        end

        def cheapest = sorted.first
      end

      list = PriceList.new("tea" => 3.2, "coffee" => 4.5, "water" => 1.0)
      [list.cheapest, list.sorted.keys, list.sorted.equal?(list.sorted)]
    RUBY
    <<~'RUBY',
      module Plugins
        class Uppercase
          def call(str) = str.upcase
        end

        class Reverse
          def call(str) = str.reverse
        end

        REGISTRY = { "upcase" => Uppercase, "reverse" => Reverse }.freeze
      end

      pipeline = %w[reverse upcase missing]
      result = pipeline.reduce("hello") do |acc, name|
        klass = Plugins::REGISTRY[name]
        klass ? klass.new.call(acc) : acc
      end
      [result, defined?(Plugins::Uppercase), defined?(Plugins::Shout)]
    RUBY
    <<~'RUBY',
      class InsufficientFundsError < StandardError
        def initialize(balance, amount)
          super("Cannot withdraw #{amount}: balance is only #{balance}")
        end
      end

      def withdraw(balance, amount)
        raise InsufficientFundsError.new(balance, amount) if amount > balance

        balance - amount
      end

      begin
        withdraw(50, 80)
      rescue InsufficientFundsError => e
        e.message
      end
    RUBY
    <<~'RUBY',
      def safe_divide(a, b)
        a / b
      rescue ZeroDivisionError => e
        "error: #{e.message}"
      end

      [safe_divide(10, 2), safe_divide(1, 0), safe_divide(7.0, 0)]
    RUBY
    <<~'RUBY',
      attempts = 0
      log = []
      begin
        attempts += 1
        raise IOError, "connection reset" if attempts < 3

        log << "succeeded on attempt #{attempts}"
      rescue IOError => e
        log << "attempt #{attempts} failed: #{e.message}"
        retry if attempts < 5
      end
      log
    RUBY
    <<~'RUBY',
      def process(events, value)
        events << "open"
        raise ArgumentError, "negative value" if value.negative?

        events << "processed #{value}"
      ensure
        events << "close"
      end

      events = []
      [5, -1].each do |v|
        process(events, v)
      rescue ArgumentError => e
        events << "rescued: #{e.message}"
      end
      events
    RUBY
    <<~'RUBY',
      inputs = ["42", "0x1A", "abc", "", "3.14", nil]
      inputs.map do |s|
        Integer(s)
      rescue ArgumentError, TypeError => e
        e.class.to_s
      end
    RUBY
    <<~'RUBY',
      settings = { "host" => "localhost", "port" => "8080" }
      begin
        settings.fetch("user")
      rescue KeyError => e
        puts "missing: #{e.key}"
        e.message
      end
    RUBY
    <<~'RUBY',
      class AppError < StandardError; end
      class NotFoundError < AppError; end
      class PermissionError < AppError; end

      def load_record(id)
        case id
        when 0 then raise NotFoundError, "record #{id} not found"
        when 1 then raise PermissionError, "access denied to #{id}"
        else { id: id, name: "Record #{id}" }
        end
      end

      [0, 1, 2].map do |id|
        load_record(id)
      rescue NotFoundError => e
        "404 #{e.message}"
      rescue AppError => e
        "403 #{e.message}"
      end
    RUBY
    <<~'RUBY',
      class ParseError < StandardError; end

      def parse_age(str)
        Integer(str)
      rescue ArgumentError
        raise ParseError, "invalid age: #{str.inspect}"
      end

      begin
        parse_age("forty")
      rescue ParseError => e
        [e.message, e.cause.class.to_s, e.cause.message]
      end
    RUBY
    <<~'RUBY',
      class ValidationError < StandardError
        attr_reader :errors

        def initialize(errors)
          @errors = errors
          super("Validation failed: #{errors.join(', ')}")
        end
      end

      def validate!(user)
        errors = []
        errors << "name can't be blank" if user[:name].to_s.strip.empty?
        errors << "age must be 18+" unless user[:age].to_i >= 18
        errors << "email is invalid" unless user[:email].to_s.include?("@")
        raise ValidationError, errors unless errors.empty?

        user
      end

      begin
        validate!(name: " ", age: 16, email: "nope")
      rescue ValidationError => e
        { message: e.message, count: e.errors.size }
      end
    RUBY
    <<~'RUBY',
      def with_log(label)
        log = ["start #{label}"]
        result = yield
        log << "result #{result}"
      rescue StandardError => e
        log << "failed #{e.message}"
      ensure
        log << "end #{label}"
      end

      [with_log("sum") { [1, 2, 3].sum }, with_log("bad") { raise "boom" }]
    RUBY
    <<~'RUBY',
      user = { profile: nil }
      messages = []
      begin
        user[:profile][:name].upcase
      rescue NoMethodError => e
        messages << e.message
      end
      messages << user[:profile]&.fetch(:name)
      messages << (user.dig(:profile, :name) || "anonymous")
      messages
    RUBY
    <<~'RUBY',
      def http_status(code)
        case code
        when 200..299 then :success
        when 300..399 then :redirect
        when 400..499 then :client_error
        when 500..599 then :server_error
        else raise ArgumentError, "invalid status code: #{code}"
        end
      end

      [200, 301, 404, 503, 42].map do |c|
        http_status(c)
      rescue ArgumentError => e
        e.message
      end
    RUBY
    <<~'RUBY',
      def risky(n)
        raise "value too large: #{n}" if n > 100

        n * 2
      end

      [10, 200, 50].map do |n|
        { ok: risky(n) }
      rescue => e
        { error: e.message, type: e.class.name }
      end
    RUBY
    <<~'RUBY',
      trace = []
      begin
        trace << "outer start"
        begin
          trace << "inner start"
          raise TypeError, "wrong type"
        rescue ArgumentError
          trace << "inner rescue (not reached)"
        ensure
          trace << "inner ensure"
        end
      rescue TypeError => e
        trace << "outer rescue: #{e.message}"
      ensure
        trace << "outer ensure"
      end
      trace
    RUBY
    <<~'RUBY',
      class TransientError < StandardError; end

      def fetch_data(attempt)
        raise TransientError, "service unavailable" if attempt < 4

        { status: "ok", attempt: attempt }
      end

      delays = []
      attempt = 0
      begin
        attempt += 1
        result = fetch_data(attempt)
      rescue TransientError
        delays << 2**attempt * 100
        retry if attempt < 5
        result = { status: "gave up" }
      end
      [result, delays]
    RUBY
    <<~'RUBY',
      class OutOfStockError < StandardError
        attr_reader :sku

        def initialize(sku, msg = "item #{sku} is out of stock")
          @sku = sku
          super(msg)
        end
      end

      stock = { "A100" => 2, "B200" => 0 }
      %w[A100 B200].map do |sku|
        raise OutOfStockError, sku if stock[sku].zero?

        "#{sku}: #{stock[sku]} left"
      rescue OutOfStockError => e
        "#{e.sku} unavailable (#{e.message})"
      end
    RUBY
    <<~'RUBY',
      COLORS = %w[red green].freeze
      begin
        COLORS << "blue"
      rescue FrozenError => e
        puts "cannot modify: #{e.message}"
      end
      [COLORS.frozen?, COLORS.dup.push("blue"), COLORS.size]
    RUBY
    <<~'RUBY',
      raw_prices = ["19.99", "free", "5", "1e2", " 3.50 "]
      prices = raw_prices.map { |s| Float(s) rescue nil }
      {
        parsed: prices,
        valid_total: prices.compact.sum.round(2),
        invalid: raw_prices.zip(prices).select { |_, v| v.nil? }.map(&:first)
      }
    RUBY
    <<~'RUBY',
      grid = [[1, 3, 5], [7, 8, 9], [10, 12, 14]]
      found = catch(:found) do
        grid.each_with_index do |row, r|
          row.each_with_index do |value, c|
            throw :found, [r, c] if value.even?
          end
        end
        nil
      end
      found
    RUBY
    <<~'RUBY',
      def create_user(name:, email:, admin: false)
        { name: name, email: email, admin: admin }
      end

      results = []
      results << create_user(name: "Ann", email: "ann@example.com")
      begin
        create_user(name: "Bob")
      rescue ArgumentError => e
        results << e.message
      end
      begin
        create_user(name: "Cid", email: "c@x.io", role: :owner)
      rescue ArgumentError => e
        results << e.message
      end
      results
    RUBY
    <<~'RUBY',
      require "json"
      data = JSON.parse('{"name": "Widget", "price": 9.99, "tags": ["tools", "sale"], "stock": null}')
      [data["name"], data["price"] * 2, data["tags"].size, data["stock"].nil?]
    RUBY
    <<~'RUBY',
      require "json"
      payload = { user: "ann", roles: %w[admin editor], active: true, score: 4.5 }
      JSON.generate(payload)
    RUBY
    <<~'RUBY',
      require "json"
      report = { title: "Q1", totals: { revenue: 12_500, costs: 8_200 }, regions: %w[north south] }
      puts JSON.pretty_generate(report)
      JSON.pretty_generate(report).lines.count
    RUBY
    <<~'RUBY',
      require "json"
      json = '[{"id":1,"status":"open"},{"id":2,"status":"closed"},{"id":3,"status":"open"}]'
      tickets = JSON.parse(json, symbolize_names: true)
      tickets.select { |t| t[:status] == "open" }.map { |t| t[:id] }
    RUBY
    <<~'RUBY',
      require "json"
      [1, "two", nil, true, 3.5, { "k" => [1, 2] }].to_json
    RUBY
    <<~'RUBY',
      require "json"

      def parse_or_default(text)
        JSON.parse(text)
      rescue JSON::ParserError
        { "error" => "invalid json" }
      end

      [parse_or_default('{"ok": true}'), parse_or_default("{oops}"), parse_or_default("[1, 2")]
    RUBY
    <<~'RUBY',
      require "json"
      Product = Struct.new(:sku, :name, :price, keyword_init: true)
      products = [Product.new(sku: "P1", name: "Pen", price: 1.5), Product.new(sku: "P2", name: "Pad", price: 3.0)]
      JSON.generate(products.map(&:to_h))
    RUBY
    <<~'RUBY',
      require "json"
      original = { "id" => 42, "tags" => %w[a b], "meta" => { "score" => 0.75, "flag" => false } }
      restored = JSON.parse(JSON.generate(original))
      [restored == original, restored.dig("meta", "score")]
    RUBY
    <<~'RUBY',
      require "json"

      class Temperature
        def initialize(celsius)
          @celsius = celsius
        end

        def to_h = { celsius: @celsius, fahrenheit: (@celsius * 9.0 / 5 + 32).round(1) }

        def to_json(*args) = to_h.to_json(*args)
      end

      JSON.generate({ readings: [Temperature.new(21.5), Temperature.new(-3)] })
    RUBY
    <<~'RUBY',
      require "json"
      lines = <<~JSONL
        {"user":"ann","amount":12.5}
        {"user":"bob","amount":7}
        {"user":"ann","amount":3.25}
      JSONL
      events = lines.each_line.map { |l| JSON.parse(l) }
      events.group_by { |e| e["user"] }.transform_values { |es| es.sum { |e| e["amount"] } }
    RUBY
    <<~'RUBY',
      require "json"
      config = JSON.parse(<<~JSON)
        {
          "server": { "port": 8080, "hosts": ["a.local", "b.local"] },
          "logging": { "level": "info" }
        }
      JSON
      port = config.dig("server", "port")
      level = config.fetch("logging", {}).fetch("level", "warn")
      retries = config.fetch("retries", 3)
      "port=#{port} level=#{level} retries=#{retries} hosts=#{config['server']['hosts'].join('|')}"
    RUBY
    <<~'RUBY',
      require "json"
      text = { message: "He said \"hi\"\nthen left", path: "C:\\temp", word: "café" }
      encoded = JSON.generate(text)
      [encoded, JSON.parse(encoded)["message"].lines.size]
    RUBY
    <<~'RUBY',
      require "json"
      body = '{"data":{"items":[{"id":1,"price":"10.50","qty":2},{"id":2,"price":"3.25","qty":4}]},"meta":{"page":1}}'
      response = JSON.parse(body)
      items = response.dig("data", "items").map do |item|
        { id: item["id"], subtotal: (item["price"].to_f * item["qty"]).round(2) }
      end
      JSON.generate({ items: items, total: items.sum { |i| i[:subtotal] } })
    RUBY
    <<~'RUBY',
      require "json"
      events = JSON.parse(<<~JSON, symbolize_names: true)
        [
          {"type": "click", "x": 10, "y": 20},
          {"type": "key", "key": "Enter"},
          {"type": "scroll", "delta": -3},
          {"type": "resize"}
        ]
      JSON
      events.map do |event|
        case event
        in { type: "click", x:, y: } then "click at #{x},#{y}"
        in { type: "key", key: String => key } then "pressed #{key}"
        in { type: "scroll", delta: Integer => d } if d.negative? then "scrolled up #{d.abs}"
        in { type: } then "unhandled #{type}"
        end
      end
    RUBY
    <<~'RUBY',
      require "json"
      defaults = JSON.parse('{"theme":"light","font":{"size":12,"family":"mono"},"plugins":["git"]}')
      user = JSON.parse('{"font":{"size":14},"plugins":["lint"]}')
      deep_merge = lambda do |a, b|
        a.merge(b) do |_key, old, new|
          if old.is_a?(Hash) && new.is_a?(Hash) then deep_merge.call(old, new)
          elsif old.is_a?(Array) && new.is_a?(Array) then old | new
          else new
          end
        end
      end
      JSON.generate(deep_merge.call(defaults, user))
    RUBY
    <<~'RUBY',
      t = Time.utc(2024, 3, 5, 14, 30)
      [t.strftime("%Y-%m-%d %H:%M"), t.strftime("%A, %B %-d, %Y"), t.strftime("%I:%M %p"), t.wday, t.yday]
    RUBY
    <<~'RUBY',
      start = Time.utc(2024, 1, 15, 9, 0)
      due = start + 14 * 24 * 60 * 60
      [due.strftime("%Y-%m-%d"), ((due - start) / 86_400).to_i, due > start]
    RUBY
    <<~'RUBY',
      t = Time.at(1_700_000_000).utc
      [t.year, t.month, t.day, t.hour, t.strftime("%FT%TZ"), t.to_i]
    RUBY
    <<~'RUBY',
      first = Time.utc(2024, 2, 26, 10, 0)
      meetings = (0...5).map { |week| first + week * 7 * 86_400 }
      meetings.map { |m| m.strftime("%a %d %b %H:%M") }
    RUBY
    <<~'RUBY',
      check_in = Time.utc(2024, 3, 5, 14, 30)
      check_out = Time.utc(2024, 3, 8, 11, 15)
      seconds = (check_out - check_in).to_i
      days, rest = seconds.divmod(86_400)
      hours, rest = rest.divmod(3600)
      minutes = rest / 60
      "#{days}d #{hours}h #{minutes}m"
    RUBY
    <<~'RUBY',
      require "time"
      stamps = ["2024-03-05T14:30:00Z", "2024-03-05T09:15:00Z", "2024-03-04T23:59:59Z"]
      times = stamps.map { |s| Time.iso8601(s) }
      [times.min.iso8601, times.max.iso8601, times.sort.map { |t| t.strftime("%H:%M") }]
    RUBY
    <<~'RUBY',
      def add_business_days(time, days)
        current = time
        while days.positive?
          current += 86_400
          days -= 1 unless current.saturday? || current.sunday?
        end
        current
      end

      start = Time.utc(2024, 3, 7, 12, 0)
      [1, 2, 5].map { |n| add_business_days(start, n).strftime("%a %Y-%m-%d") }
    RUBY
    <<~'RUBY',
      events = [
        Time.utc(2024, 1, 3), Time.utc(2024, 1, 28), Time.utc(2024, 2, 14),
        Time.utc(2024, 3, 1), Time.utc(2024, 3, 17), Time.utc(2024, 3, 30)
      ]
      events.group_by { |t| t.strftime("%Y-%m") }.transform_values(&:count)
    RUBY
    <<~'RUBY',
      deadline = Time.utc(2024, 6, 30, 23, 59, 59)
      submissions = {
        "ann" => Time.utc(2024, 6, 29, 18, 0),
        "bob" => Time.utc(2024, 7, 1, 0, 5),
        "cid" => Time.utc(2024, 6, 30, 23, 59, 0)
      }
      submissions.transform_values { |t| t <= deadline ? "on time" : "late by #{((t - deadline) / 60).ceil} min" }
    RUBY
    <<~'RUBY',
      require "time"
      t = Time.utc(2024, 12, 31, 22, 45, 10)
      midnight = Time.utc(t.year, t.month, t.day)
      next_day = midnight + 86_400
      [midnight.iso8601, next_day.strftime("%Y-%m-%d"), (t - midnight).to_i, t.strftime("%j/%U"), t.min, t.sec]
    RUBY
    <<~'RUBY',
      def greet(name, greeting: "Hello", punctuation: "!")
        "#{greeting}, #{name}#{punctuation}"
      end

      [greet("Ann"), greet("Bob", greeting: "Hi"), greet("Cid", punctuation: "?", greeting: "Hey")]
    RUBY
    <<~'RUBY',
      def repeat(times)
        (1..times).map { |i| yield(i) }
      end

      repeat(3) { |i| "round #{i}" }
    RUBY
    <<~'RUBY',
      def transform(values)
        return values.dup unless block_given?

        values.map { |v| yield v }
      end

      [transform([1, 2, 3]), transform([1, 2, 3]) { |v| v * 10 }]
    RUBY
    <<~'RUBY',
      square = ->(x) { x * x }
      add = lambda { |a, b| a + b }
      shout = proc { |s| "#{s.upcase}!" }
      compose = square >> ->(x) { x + 1 }
      [square.call(4), add.(2, 3), shout["hey"], compose.call(3), square.lambda?, shout.lambda?]
    RUBY
    <<~'RUBY',
      def build_url(host, path = "/", **params)
        query = params.map { |k, v| "#{k}=#{v}" }.join("&")
        query.empty? ? "https://#{host}#{path}" : "https://#{host}#{path}?#{query}"
      end

      [build_url("example.com"), build_url("example.com", "/search", q: "ruby", page: 2)]
    RUBY
    <<~'RUBY',
      def apply_all(values, &block)
        values.map(&block)
      end

      def double(x) = x * 2

      [apply_all([1, 2, 3]) { |x| x + 1 }, apply_all([1, 2, 3], &method(:double)), %w[a b].map(&:upcase)]
    RUBY
    <<~'RUBY',
      def make_counter
        count = 0
        increment = -> { count += 1 }
        current = -> { count }
        [increment, current]
      end

      inc, current = make_counter
      3.times { inc.call }
      [current.call, inc.call, defined?(count)]
    RUBY
    <<~'RUBY',
      tax = ->(rate, amount) { (amount * rate).round(2) }
      vat = tax.curry[0.2]
      sales_tax = tax.curry[0.0725]
      [vat.call(100), sales_tax.call(59.99), [10, 20, 30].map(&vat)]
    RUBY
    <<~'RUBY',
      SHIPPING = {
        standard: ->(weight) { 5.0 + weight * 0.5 },
        express: ->(weight) { 15.0 + weight * 1.25 },
        pickup: ->(_weight) { 0.0 }
      }.freeze

      def shipping_cost(method, weight:)
        SHIPPING.fetch(method) { raise ArgumentError, "unknown method #{method}" }.call(weight)
      end

      %i[standard express pickup].to_h { |m| [m, shipping_cost(m, weight: 4)] }
    RUBY
    <<~'RUBY',
      def log_line(message, level: :info, tag: nil)
        prefix = "[#{level.to_s.upcase}]"
        prefix += "[#{tag}]" if tag
        "#{prefix} #{message}"
      end

      def warn_line(message, **options)
        log_line(message, level: :warn, **options)
      end

      [log_line("started"), warn_line("disk low", tag: "storage"), log_line("x", level: :error)]
    RUBY
    <<~'RUBY',
      def each_pair_sum(values)
        return to_enum(:each_pair_sum, values) unless block_given?

        values.each_cons(2) { |a, b| yield a + b }
      end

      sums = []
      each_pair_sum([1, 4, 9, 16]) { |s| sums << s }
      [sums, each_pair_sum([2, 3, 5]).to_a]
    RUBY
    <<~'RUBY',
      strict = ->(a, b) { a + b }
      loose = proc { |a, b| [a, b] }
      results = [loose.call(1), loose.call(1, 2, 3), loose.call([4, 5])]
      begin
        strict.call(1)
      rescue ArgumentError => e
        results << e.message
      end
      results
    RUBY
    <<~'RUBY',
      def summarize(title, *values, separator: ", ")
        "#{title}: #{values.join(separator)} (#{values.size})"
      end

      [summarize("Empty"), summarize("Nums", 1, 2, 3), summarize("Words", "a", "b", separator: " | ")]
    RUBY
    <<~'RUBY',
      rules = {
        "must be present" => ->(v) { !v.to_s.strip.empty? },
        "must be at most 10 chars" => ->(v) { v.to_s.length <= 10 },
        "must be lowercase" => ->(v) { v.to_s == v.to_s.downcase }
      }

      def check(value, rules)
        rules.reject { |_, rule| rule.call(value) }.keys
      end

      ["ok", "TooLongValueHere", "Mixed", ""].to_h { |v| [v, check(v, rules)] }
    RUBY
    <<~'RUBY',
      result = [3, 1, 2]
               .tap { |a| puts "original: #{a.inspect}" }
               .sort
               .then { |sorted| sorted.map { |n| n * 100 } }
      result.sum.then { |total| format("total=%d", total) }
    RUBY
    <<~'RUBY',
      class Version
        include Comparable
        attr_reader :parts

        def initialize(str)
          @parts = str.split(".").map(&:to_i)
        end

        def <=>(other) = parts <=> other.parts
        def to_s = parts.join(".")
      end

      versions = %w[1.10.0 1.2.9 1.2.10 0.9 2.0].map { |v| Version.new(v) }
      [
        versions.sort.map(&:to_s),
        versions.max.to_s,
        Version.new("1.2.0") < Version.new("1.10"),
        Version.new("3.1").between?(Version.new("3.0"), Version.new("3.2"))
      ]
    RUBY
    <<~'RUBY',
      class Playlist
        include Enumerable

        Song = Struct.new(:title, :seconds)

        def initialize
          @songs = []
        end

        def add(title, seconds)
          @songs << Song.new(title, seconds)
          self
        end

        def each(&block)
          @songs.each(&block)
          self
        end
      end

      list = Playlist.new.add("Intro", 95).add("Anthem", 240).add("Ballad", 312)
      [list.map(&:title), list.sum(&:seconds), list.max_by(&:seconds).title, list.sort_by(&:seconds).first.title]
    RUBY
    <<~'RUBY',
      class Grade
        include Comparable
        ORDER = %w[F D C B A].freeze
        attr_reader :letter

        def initialize(letter)
          @letter = letter
        end

        def <=>(other) = ORDER.index(letter) <=> ORDER.index(other.letter)
      end

      grades = %w[B A F C B].map { |g| Grade.new(g) }
      [grades.max.letter, grades.min.letter, grades.sort.map(&:letter), Grade.new("D").clamp(Grade.new("C"), Grade.new("A")).letter]
    RUBY
    <<~'RUBY',
      class Countdown
        include Enumerable

        def initialize(from)
          @from = from
        end

        def each
          @from.downto(1) { |n| yield n }
        end
      end

      c = Countdown.new(5)
      [c.to_a, c.select(&:even?), c.each_slice(2).to_a, c.first, c.first(2), c.min, c.sort, c.reduce(:*)]
    RUBY
    <<~'RUBY',
      class Price
        include Comparable
        attr_reader :cents

        def initialize(cents)
          @cents = cents
        end

        def <=>(other) = cents <=> other.cents
        def to_s = format("$%.2f", cents / 100.0)
      end

      prices = [Price.new(1999), Price.new(550), Price.new(1200)]
      [prices.sort.map(&:to_s), prices.minmax.map(&:to_s), Price.new(550) == Price.new(550), prices.max.to_s]
    RUBY
    <<~'RUBY',
      squares_of_odds = (1..Float::INFINITY).lazy.select(&:odd?).map { |n| n * n }
      [
        squares_of_odds.first(5),
        (1..20).each_slice(5).map(&:sum),
        (1..10).each_with_object([]) { |i, acc| acc.unshift(i) if (i % 3).zero? }
      ]
    RUBY
    <<~'RUBY',
      class Inventory
        include Enumerable
        Item = Struct.new(:name, :category, :qty)

        def initialize(rows)
          @items = rows.map { |row| Item.new(*row) }
        end

        def each(&block) = @items.each(&block)
      end

      inv = Inventory.new([%w[bolt hardware 120], %w[nut hardware 300], %w[glue adhesive 12], %w[tape adhesive 0]])
      inv.each { |i| i.qty = i.qty.to_i }
      {
        by_category: inv.group_by(&:category).transform_values { |items| items.sum(&:qty) },
        empty: inv.reject { |i| i.qty.positive? }.map(&:name),
        sorted: inv.sort_by { |i| -i.qty }.map(&:name),
        partition: inv.partition { |i| i.qty > 100 }.map { |g| g.map(&:name) }
      }
    RUBY
    <<~'RUBY',
      class Celsius
        include Comparable
        attr_reader :degrees

        def initialize(degrees)
          @degrees = degrees
        end

        def <=>(other) = degrees <=> other.degrees
        def succ = Celsius.new(degrees + 1)
        def to_s = "#{degrees}°C"
      end

      range = Celsius.new(18)..Celsius.new(22)
      [range.map(&:to_s), range.include?(Celsius.new(20)), range.cover?(Celsius.new(25)), Celsius.new(5).clamp(range.begin, range.end).to_s]
    RUBY
    <<~'RUBY',
      class Roster
        include Enumerable

        def initialize(**members)
          @members = members
        end

        def each
          @members.each { |name, score| yield name.to_s, score }
        end
      end

      roster = Roster.new(ann: 91, bob: 78, cid: 85)
      [
        roster.to_a,
        roster.max_by { |_, s| s },
        roster.sort_by { |_, s| s }.map(&:first),
        roster.count,
        roster.each_with_index.map { |(name, _), i| "#{i}:#{name}" },
        roster.to_h
      ]
    RUBY
    <<~'RUBY',
      RANKS = %w[2 3 4 5 6 7 8 9 10 J Q K A].freeze

      Card = Struct.new(:rank, :suit) do
        include Comparable

        def <=>(other) = RANKS.index(rank) <=> RANKS.index(other.rank)
        def to_s = "#{rank}#{suit}"
      end

      hand = [Card.new("K", "h"), Card.new("3", "s"), Card.new("A", "d"), Card.new("10", "c")]
      [hand.sort.map(&:to_s), hand.max.to_s, Card.new("J", "h") > Card.new("10", "s")]
    RUBY
    <<~'RUBY',
      TAX_RATE = 0.08
      DISCOUNTS = { "SAVE10" => 0.10, "HALF" => 0.50 }.freeze

      def price_order(items, coupon: nil)
        subtotal = items.sum { |i| i[:price] * i[:qty] }
        discount = (subtotal * DISCOUNTS.fetch(coupon, 0)).round(2)
        discount += 5 if subtotal >= 100
        taxable = subtotal - discount
        tax = (taxable * TAX_RATE).round(2)
        { subtotal: subtotal.round(2), discount: discount, tax: tax, total: (taxable + tax).round(2) }
      end

      items = [{ price: 19.99, qty: 3 }, { price: 45.5, qty: 1 }]
      [price_order(items), price_order(items, coupon: "SAVE10"), price_order([{ price: 5.0, qty: 2 }], coupon: "BOGUS")]
    RUBY
    <<~'RUBY',
      LineItem = Struct.new(:description, :qty, :unit_price) do
        def total = qty * unit_price
      end

      items = [
        LineItem.new("Consulting hours", 12, 150.0),
        LineItem.new("Hosting (monthly)", 1, 49.99),
        LineItem.new("Domain renewal", 2, 12.5)
      ]
      items.each do |i|
        puts format("%-20s %3d x %8.2f = %9.2f", i.description, i.qty, i.unit_price, i.total)
      end
      subtotal = items.sum(&:total)
      tax = (subtotal * 0.07).round(2)
      puts "-" * 47
      puts format("%-36s %9.2f", "Subtotal", subtotal)
      puts format("%-36s %9.2f", "Tax (7%)", tax)
      puts format("%-36s %9.2f", "Total", subtotal + tax)
      (subtotal + tax).round(2)
    RUBY
    <<~'RUBY',
      def letter_grade(score)
        case score
        when 90.. then "A"
        when 80...90 then "B"
        when 70...80 then "C"
        when 60...70 then "D"
        else "F"
        end
      end

      students = { "Ann" => [95, 88, 92], "Bob" => [72, 65, 80], "Cid" => [55, 61, 58], "Dee" => [85, 90, 79] }
      report = students.transform_values do |scores|
        avg = scores.sum.fdiv(scores.size).round(1)
        { average: avg, grade: letter_grade(avg) }
      end
      report.each { |name, r| puts "#{name.ljust(5)}#{r[:average].to_s.rjust(6)}  #{r[:grade]}" }
      report.values.map { |r| r[:grade] }.tally
    RUBY
    <<~'RUBY',
      EMAIL = /\A[^@\s]+@[^@\s]+\.[a-z]{2,}\z/i

      def validate(record)
        errors = {}
        errors[:name] = "is required" if record[:name].to_s.strip.empty?
        errors[:email] = "is invalid" unless record[:email].to_s.match?(EMAIL)
        errors[:age] = "must be between 0 and 130" unless (0..130).cover?(record[:age].to_i)
        errors[:zip] = "must be 5 digits" unless record[:zip].to_s.match?(/\A\d{5}\z/)
        errors
      end

      records = [
        { name: "Ann", email: "ann@example.com", age: 34, zip: "02139" },
        { name: "", email: "bob@", age: 200, zip: "123" }
      ]
      records.map { |r| validate(r) }
    RUBY
    <<~'RUBY',
      Item = Struct.new(:sku, :on_hand, :reorder_point, :reorder_qty, keyword_init: true)

      inventory = [
        Item.new(sku: "BOLT-10", on_hand: 40, reorder_point: 50, reorder_qty: 200),
        Item.new(sku: "NUT-10", on_hand: 500, reorder_point: 100, reorder_qty: 400),
        Item.new(sku: "WASHER", on_hand: 0, reorder_point: 25, reorder_qty: 100)
      ]

      orders = inventory.select { |i| i.on_hand < i.reorder_point }.map do |i|
        qty = i.reorder_qty
        qty *= 2 if i.on_hand.zero?
        { sku: i.sku, qty: qty }
      end
      puts orders.map { |o| "#{o[:sku]}: order #{o[:qty]}" }
      orders
    RUBY
    <<~'RUBY',
      shifts = %w[Ann Bob Cid]
      start = Time.utc(2024, 4, 1, 8)
      schedule = (0...7).filter_map do |day|
        date = start + day * 86_400
        next if date.saturday? || date.sunday?

        [date.strftime("%a %m/%d"), shifts[day % shifts.size]]
      end
      schedule.to_h
    RUBY
    <<~'RUBY',
      STOP = %w[the a and of to in is it].freeze
      text = <<~TEXT
        It is a truth universally acknowledged, that a single man in possession
        of a good fortune, must be in want of a wife. The truth of it is plain.
      TEXT
      words = text.downcase.scan(/[a-z']+/).reject { |w| STOP.include?(w) }
      top = words.tally.sort_by { |w, c| [-c, w] }.first(5)
      top.each { |w, c| puts "#{w.ljust(14, '.')}#{c}" }
      top.to_h
    RUBY
    <<~'RUBY',
      csv = <<~CSV
        name,department,salary,start_year
        Ann,Engineering,125000,2019
        Bob,Sales,72000,2021
        Cid,Engineering,98000,2022
        Dee,Sales,81000,2018
      CSV
      header, *rows = csv.lines.map { |l| l.chomp.split(",") }
      records = rows.map { |r| header.zip(r).to_h }
      by_dept = records.group_by { |r| r["department"] }
      by_dept.to_h do |dept, people|
        salaries = people.map { |p| p["salary"].to_i }
        senior = people.min_by { |p| p["start_year"].to_i }["name"]
        [dept, { headcount: people.size, avg_salary: salaries.sum / salaries.size, senior: senior }]
      end
    RUBY
    <<~'RUBY',
      def shipping_fee(weight_kg, zone:, express: false)
        base = case weight_kg
               when 0...1 then 4.99
               when 1...5 then 9.99
               when 5...20 then 19.99
               else 49.99
               end
        multiplier = { domestic: 1.0, continental: 1.5, international: 2.5 }.fetch(zone)
        fee = base * multiplier
        fee *= 1.4 if express
        fee.round(2)
      end

      [
        shipping_fee(0.5, zone: :domestic),
        shipping_fee(3, zone: :continental, express: true),
        shipping_fee(25, zone: :international)
      ]
    RUBY
    <<~'RUBY',
      def monthly_payment(principal, annual_rate, months)
        r = annual_rate / 12.0
        (principal * r / (1 - (1 + r)**-months)).round(2)
      end

      payment = monthly_payment(20_000, 0.06, 36)
      balance = 20_000.0
      schedule = (1..3).map do |month|
        interest = (balance * 0.06 / 12).round(2)
        principal = (payment - interest).round(2)
        balance = (balance - principal).round(2)
        format("%2d  %8.2f  %8.2f  %10.2f", month, interest, principal, balance)
      end
      puts schedule
      payment
    RUBY
    <<~'RUBY',
      TIERS = [[10_000, 0.05], [25_000, 0.08], [Float::INFINITY, 0.12]].freeze

      def commission(sales)
        lower = 0
        TIERS.sum do |limit, rate|
          portion = [[sales, limit].min - lower, 0].max
          lower = limit
          portion * rate
        end.round(2)
      end

      { "Ann" => 8_000, "Bob" => 18_500, "Cid" => 40_000 }.transform_values { |s| commission(s) }
    RUBY
    <<~'RUBY',
      def parking_fee(entered_at, left_at)
        minutes = ((left_at - entered_at) / 60).ceil
        return 0 if minutes <= 15

        hours = (minutes / 60.0).ceil
        [hours * 3, 20].min
      end

      entry = Time.utc(2024, 3, 5, 8, 10)
      exits = [Time.utc(2024, 3, 5, 8, 20), Time.utc(2024, 3, 5, 9, 45), Time.utc(2024, 3, 5, 19, 0)]
      exits.map { |t| "#{t.strftime('%H:%M')} -> $#{parking_fee(entry, t)}" }
    RUBY
    <<~'RUBY',
      attendance = {
        "Ann" => %w[P P A P P L P],
        "Bob" => %w[P A A P L L P],
        "Cid" => %w[P P P P P P P]
      }
      summary = attendance.transform_values do |days|
        t = days.tally
        rate = (t.fetch("P", 0) * 100.0 / days.size).round(1)
        { present: t.fetch("P", 0), absent: t.fetch("A", 0), late: t.fetch("L", 0), rate: rate, flag: rate < 75 }
      end
      [summary.select { |_, s| s[:flag] }.keys, summary]
    RUBY
    <<~'RUBY',
      module Rules
        class FreeShipping
          def applies?(order) = order[:total] >= 50
          def apply(order) = order.merge(shipping: 0)
        end

        class BulkDiscount
          def applies?(order) = order[:items] >= 10
          def apply(order) = order.merge(total: (order[:total] * 0.9).round(2))
        end

        class LoyaltyBonus
          def applies?(order) = order[:member]
          def apply(order) = order.merge(points: (order[:total] / 10).floor)
        end
      end

      RULES = [Rules::BulkDiscount, Rules::FreeShipping, Rules::LoyaltyBonus].map(&:new)

      orders = [{ total: 80.0, items: 12, member: true, shipping: 7 }, { total: 30.0, items: 2, member: false, shipping: 7 }]
      orders.map { |o| RULES.select { |r| r.applies?(o) }.reduce(o) { |acc, r| r.apply(acc) } }
    RUBY
    <<~'RUBY',
      HOURLY = { "Ann" => 30.0, "Bob" => 24.5 }.freeze
      timesheet = {
        "Ann" => [8, 9, 10, 8, 9],
        "Bob" => [8, 8, 8, 8, 6]
      }

      def weekly_pay(hours, rate)
        total = hours.sum
        regular = [total, 40].min
        overtime = [total - 40, 0].max
        (regular * rate + overtime * rate * 1.5).round(2)
      end

      timesheet.map do |name, hours|
        pay = weekly_pay(hours, HOURLY.fetch(name))
        format("%-4s %2dh  $%8.2f", name, hours.sum, pay)
      end
    RUBY
    <<~'RUBY',
      transactions = [
        ["2024-03-01", "Opening deposit", 1000.0],
        ["2024-03-03", "Groceries", -82.45],
        ["2024-03-05", "Salary", 2500.0],
        ["2024-03-07", "Rent", -1200.0],
        ["2024-03-09", "Coffee", -4.75]
      ]
      balance = 0.0
      transactions.each do |date, desc, amount|
        balance += amount
        puts "#{date}  #{desc.ljust(16)}#{format('%10.2f', amount)}#{format('%11.2f', balance)}"
      end
      credits, debits = transactions.map(&:last).partition(&:positive?)
      { balance: balance.round(2), credits: credits.sum.round(2), debits: debits.sum.round(2) }
    RUBY
    <<~'RUBY',
      Promo = Struct.new(:code, :percent, :expires_at, :min_total, keyword_init: true)

      PROMOS = [
        Promo.new(code: "SPRING", percent: 15, expires_at: Time.utc(2024, 4, 30), min_total: 50),
        Promo.new(code: "WELCOME", percent: 10, expires_at: Time.utc(2024, 12, 31), min_total: 0)
      ].freeze

      def apply_promo(code, total, at:)
        promo = PROMOS.find { |p| p.code == code.upcase }
        return [total, "unknown code"] unless promo
        return [total, "expired"] if at > promo.expires_at
        return [total, "minimum not met"] if total < promo.min_total

        [(total * (100 - promo.percent) / 100.0).round(2), "applied #{promo.percent}%"]
      end

      now = Time.utc(2024, 5, 10, 12)
      [apply_promo("spring", 80, at: now), apply_promo("welcome", 80, at: now), apply_promo("FREE", 80, at: now)]
    RUBY
    <<~'RUBY',
      scores = { "ann" => 980, "bob" => 1200, "cid" => 980, "dee" => 750, "eve" => 1200 }
      sorted = scores.sort_by { |name, s| [-s, name] }
      rank = 0
      prev = nil
      sorted.each_with_index.map do |(name, s), i|
        rank = i + 1 unless s == prev
        prev = s
        "#{rank}. #{name} (#{s})"
      end
    RUBY
    <<~'RUBY',
      THRESHOLD = 25.0
      readings = [21.5, 22.0, 22.4, 25.9, 27.1, 26.8, 23.0, 21.9, 30.2]
      runs = readings.each_with_index.slice_when { |(a, _), (b, _)| (a > THRESHOLD) != (b > THRESHOLD) }
      spikes = runs.select { |run| run.first[0] > THRESHOLD }.map do |run|
        { from: run.first[1], to: run.last[1], peak: run.map(&:first).max }
      end
      { spikes: spikes, average: (readings.sum / readings.size).round(2), max: readings.max }
    RUBY
    <<~'RUBY'
      sales = [
        { region: "North", q: 1, amount: 12_000 }, { region: "North", q: 2, amount: 15_500 },
        { region: "South", q: 1, amount: 9_800 }, { region: "South", q: 2, amount: 11_250 },
        { region: "West", q: 1, amount: 7_400 }
      ]
      totals = sales.group_by { |s| s[:region] }.transform_values { |rows| rows.sum { |r| r[:amount] } }
      grand = totals.values.sum
      lines = totals.sort_by { |_, v| -v }.map do |region, amount|
        share = amount * 100.0 / grand
        "#{region.ljust(8)}#{amount.to_s.rjust(8)}  #{format('%5.1f', share)}%  #{'#' * (share / 5).round}"
      end
      puts lines
      puts "Total".ljust(8) + grand.to_s.rjust(8)
      lines.size
    RUBY
  ].freeze
end
