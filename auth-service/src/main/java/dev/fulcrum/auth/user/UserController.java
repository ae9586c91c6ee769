package dev.fulcrum.auth.user;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /auth/register}.
 */
@RestController
class UserController {

	private final UserService users;

	private final RegistrationLimit limit;

	UserController(UserService users, RegistrationLimit limit) {
		this.users = users;
		this.limit = limit;
	}

	@PostMapping("/auth/register")
	@ResponseStatus(HttpStatus.CREATED)
	RegisteredUser register(@Valid @RequestBody RegisterRequest request, HttpServletRequest http) {
		this.limit.count(http);
		User user = this.users.register(request.username(), request.password(), UserService.DEFAULT_ROLES);
		return new RegisteredUser(user.id(), user.username());
	}

	record RegisteredUser(String id, String username) {
	}

}
