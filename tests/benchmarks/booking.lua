-- The booking POST: each request books with a fresh email address, using a CSRF
-- token and cookie run.py fetched from the event page. Arguments after "--":
-- event path, CSRF form token, CSRF cookie, a tag that makes this run's emails unique.

counter = 0

function init(args)
  path, token, cookie, tag = args[1], args[2], args[3], args[4]
end

function request()
  counter = counter + 1
  -- One or two places, so the waiting list also has to skip bookings that do not fit.
  local places = 1 + counter % 2
  local email = string.format("bench-%s-%d-%d%%40example.com", tag, thread_number, counter)
  local body = "csrfmiddlewaretoken=" .. token ..
    "&name=Bench+Visitor&email=" .. email ..
    "&phone=&places=" .. places .. "&access_needs=&heard_about=&website="
  return wrk.format("POST", path, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = "csrftoken=" .. cookie,
  }, body)
end
